/**
 * Which cancer a code or a text names, by primary site, so a diagnosis the model writes can be
 * held against the chart's ICD-10-CM codes: "adenocarcinoma of the colon" for an order coded
 * C34.90 names a different cancer.
 *
 * Codes map to sites by the blocks of ICD-10-CM Chapter 2, Neoplasms (C00–D49): malignant
 * neoplasms by primary site C00–C75, secondary sites C77–C79, unknown primary C80, lymphoid and
 * haematopoietic C81–C96, in situ D00–D09. Texts map by site terms. A spread to another organ
 * ("liver metastases", "metastatic to bone", "secondary malignant neoplasm of bone") is not a
 * different cancer, so those phrases are set aside before looking for sites; a family history
 * is not the patient's cancer either.
 */
import { normalise } from "./text.js";

/** A primary-site group of ICD-10-CM Chapter 2 (block ranges by three-character category). */
const CODE_SITES: [from: string, to: string, sites: string[]][] = [
  ["C00", "C14", ["head-and-neck"]], ["C15", "C15", ["esophagus"]], ["C16", "C16", ["stomach"]], ["C17", "C17", ["small-intestine"]],
  ["C18", "C21", ["colorectal"]], ["C22", "C22", ["liver"]], ["C23", "C24", ["biliary"]], ["C25", "C25", ["pancreas"]],
  ["C30", "C32", ["head-and-neck"]], ["C33", "C34", ["lung"]], ["C37", "C38", ["thorax"]], ["C40", "C41", ["bone", "sarcoma"]],
  ["C43", "C43", ["melanoma"]], ["C44", "C44", ["skin"]], ["C45", "C45", ["mesothelioma"]], ["C46", "C49", ["sarcoma"]],
  ["C50", "C50", ["breast"]], ["C51", "C52", ["vulva-vagina"]], ["C53", "C53", ["cervix"]], ["C54", "C55", ["uterus"]],
  ["C56", "C57", ["ovary"]], ["C60", "C60", ["penis"]], ["C61", "C61", ["prostate"]], ["C62", "C62", ["testis"]],
  ["C64", "C65", ["kidney"]], ["C66", "C68", ["bladder"]], ["C69", "C69", ["eye"]], ["C70", "C72", ["brain"]], ["C73", "C73", ["thyroid"]],
  ["C81", "C88", ["lymphoma"]], ["C90", "C90", ["myeloma"]], ["C91", "C95", ["leukemia"]],
  ["D03", "D03", ["melanoma"]], ["D05", "D05", ["breast"]], ["D01", "D01", ["colorectal"]], ["D02", "D02", ["lung"]], ["D07", "D07", ["prostate"]],
];

/**
 * The sites of a code; null when the code names no one primary site (secondary neoplasms C77–C79,
 * unknown primary C80, other chapters) — then the site rule cannot judge a text against it.
 */
export function sitesOfCode(code: string): string[] | null {
  const category = code.trim().toUpperCase().replace(".", "").slice(0, 3);
  if (!/^[A-Z]\d{2}$/.test(category)) return null;
  const hit = CODE_SITES.find(([from, to]) => category >= from && category <= to);
  return hit === undefined ? null : hit[2];
}

/** Site terms in normalised text. Words alone that also mean an organ's function ("renal function") are left out. */
const TEXT_SITES: [RegExp, string][] = [
  [/\b(?:head and neck|oral cavity|tongue|tonsil|tonsillar|oropharyn[a-z]*|nasopharyn[a-z]*|hypopharyn[a-z]*|pharyn[a-z]*|laryn[a-z]*|salivary|parotid)\b/, "head-and-neck"],
  [/\b(?:esophag[a-z]*|oesophag[a-z]*)\b/, "esophagus"],
  [/\b(?:stomach|gastric|gastroesophageal junction)\b/, "stomach"],
  [/\bsmall (?:bowel|intestin[a-z]*)\b/, "small-intestine"],
  [/\b(?:colon|colonic|colorectal|rectum|rectal|rectosigmoid|sigmoid|cecum|cecal|caecum|appendix|anal canal|anus)\b/, "colorectal"],
  [/\b(?:hepatocellular|hcc|liver (?:cancer|carcinoma|neoplasm|tumou?r))\b/, "liver"],
  [/\b(?:gallbladder|bile duct|biliary tract|cholangiocarcinoma|ampullary)\b/, "biliary"],
  [/\bpancrea[a-z]*\b/, "pancreas"],
  [/\b(?:lung|lungs|bronchus|bronchial|bronchogenic|nsclc|sclc|trachea|tracheal)\b/, "lung"],
  [/\b(?:thymoma|thymic|mediastinal (?:tumou?r|mass))\b/, "thorax"],
  [/\b(?:osteosarcoma|ewing|chondrosarcoma|bone (?:cancer|neoplasm|sarcoma)|neoplasm of bone)\b/, "bone"],
  [/\bmelanoma\b/, "melanoma"],
  [/\b(?:basal cell carcinoma|merkel cell|cutaneous squamous|squamous cell carcinoma of (?:the )?skin)\b/, "skin"],
  [/\bmesothelioma\b/, "mesothelioma"],
  [/\b(?:sarcoma|liposarcoma|leiomyosarcoma|rhabdomyosarcoma|gist|gastrointestinal stromal)\b/, "sarcoma"],
  [/\bbreast\b/, "breast"],
  [/\b(?:vulva|vulvar|vagina|vaginal)\b/, "vulva-vagina"],
  [/\b(?:cervix|cervical (?:cancer|carcinoma|neoplasm))\b/, "cervix"],
  [/\b(?:uterus|uterine|endometrium|endometrial)\b/, "uterus"],
  [/\b(?:ovary|ovaries|ovarian|fallopian|primary peritoneal)\b/, "ovary"],
  [/\bpenile\b/, "penis"],
  [/\b(?:prostate|prostatic)\b/, "prostate"],
  [/\b(?:testis|testes|testicular|germ cell)\b/, "testis"],
  [/\b(?:renal cell|rcc|kidney (?:cancer|carcinoma|neoplasm|tumou?r)|renal (?:cancer|carcinoma|neoplasm|tumou?r|pelvis))\b/, "kidney"],
  [/\b(?:bladder|urothelial|ureter|ureteral|urethra|urethral)\b/, "bladder"],
  [/\b(?:uveal|retinoblastoma|ocular)\b/, "eye"],
  [/\b(?:brain (?:cancer|tumou?r|neoplasm)|glioblastoma|glioma|astrocytoma|oligodendroglioma|medulloblastoma)\b/, "brain"],
  [/\bthyroid (?:cancer|carcinoma|neoplasm)|\b(?:papillary|follicular|medullary|anaplastic) thyroid\b/, "thyroid"],
  [/\b(?:lymphoma|hodgkin|hodgkin's|dlbcl|mycosis fungoides)\b/, "lymphoma"],
  [/\b(?:myeloma|plasmacytoma)\b/, "myeloma"],
  [/\b(?:leukemia|leukaemia|cll|aml|cml|myelodysplastic)\b/, "leukemia"],
];

/** Phrases that name where a cancer spread, or another person's cancer: not a primary site. */
const NOT_A_PRIMARY = [
  /\b(?:metasta[a-z]*|mets|spread) (?:to|in|into|involving) (?:the )?(?:left |right |bilateral )?[a-z-]+/g,
  /\b[a-z-]+ (?:metastas[ei]s|mets)\b/g,
  /\bsecondary (?:malignant )?neoplasm of (?:the )?[a-z-]+/g,
  /\bfamily history[^.;\n]{0,80}/g,
];

/** The primary sites a text names (normalised first). */
export function sitesInText(text: string): Set<string> {
  let t = normalise(text);
  for (const p of NOT_A_PRIMARY) t = t.replace(p, " ");
  const out = new Set<string>();
  for (const [pattern, site] of TEXT_SITES) if (pattern.test(t)) out.add(site);
  return out;
}

/** A statement that the patient has no cancer ("has no cancer diagnosis", "free of malignancy"). */
const NEGATED_CANCER = /\b(?:no|not|never|without|denies|denied|free of|ruled out|negative for)\b(?: [a-z-]+){0,2} (?:cancer|malignan[a-z]*|carcinoma|neoplasm|oncologic[a-z]*)\b/;

/** The words of a text that deny a cancer, or null. */
export function deniesCancer(text: string): string | null {
  return NEGATED_CANCER.exec(normalise(text))?.[0] ?? null;
}
