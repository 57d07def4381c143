/** Name parts for synthetic patients; combinations are random and belong to no one. */
export const FIRST_NAMES = {
  female: ["Avery", "Blair", "Carmen", "Dana", "Elena", "Farah", "Greta", "Hana", "Ines", "June", "Kira", "Lena", "Maya", "Nora", "Opal", "Priya", "Rosa", "Sana", "Tessa", "Uma", "Vera", "Wren", "Yara", "Zoe"],
  male: ["Aaron", "Boris", "Caleb", "Dev", "Emil", "Felix", "Gabe", "Hugo", "Ivan", "Jonah", "Kofi", "Luis", "Milo", "Nils", "Omar", "Pavel", "Quinn", "Rafe", "Soren", "Theo", "Umar", "Victor", "Wes", "Yusuf"],
} as const;
export const LAST_NAMES = [
  "Abernathy", "Bellweather", "Castellan", "Draycott", "Elsworth", "Fairbanks", "Galloway", "Harrow", "Ingram", "Jessup", "Kettering",
  "Lockwood", "Marchetti", "Northcote", "Oyelaran", "Pemberton", "Quayle", "Rosenthal", "Sandoval", "Thistlewood", "Underhill",
  "Vantongeren", "Whitcombe", "Yardley", "Zielinski",
] as const;
