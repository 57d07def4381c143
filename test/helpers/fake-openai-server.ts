/** The fake OpenAI-compatible server lives with the model layer so tests and evaluations share one implementation. */
export { FakeOpenAiServer, type ScriptedReply } from "../../src/llm/testing/fake-openai-server.js";
