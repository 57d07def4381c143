/** placeholder, generated below */
export const AUDIT_DICTIONARY_V1 = "{\"tool\":\"\",\"input\":{},\"output\":{}}";
