/** The service entry point: load config, start, and stop cleanly on SIGTERM/SIGINT. */
import { ConfigError, loadConfig } from "./config.js";
import { createLogger } from "./logger.js";
import { startService } from "./service.js";

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`infusion-rcm: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel });
  process.on("unhandledRejection", (reason) => {
    logger.error({ err: reason instanceof Error ? { message: reason.message, stack: reason.stack } : { reason: String(reason) } }, "unhandled rejection");
  });
  process.on("uncaughtException", (error) => {
    logger.fatal({ err: { message: error.message, stack: error.stack } }, "uncaught exception; exiting");
    process.exit(1);
  });

  // Signals are handled from the start: one that arrives while the service is still starting
  // (its first sweep runs after it listens) stops it as soon as it has started.
  const started = startService(config, logger);
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, "signal received");
    started.then((service) => service.stop()).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: { message: (error as Error).message } }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
  await started;
}

main().catch((error: unknown) => {
  process.stderr.write(`infusion-rcm: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
