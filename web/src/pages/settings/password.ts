// Initial and reset passwords, made in the browser from crypto.getRandomValues: 20 characters
// from a 56-symbol alphabet without look-alikes (0/O, 1/l/I), about 116 bits.
const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

export function generatePassword(length = 20): string {
  const out: string[] = [];
  // Rejection sampling: bytes at or above the largest multiple of the alphabet's size are
  // redrawn, so every symbol is equally likely.
  const limit = 256 - (256 % ALPHABET.length);
  while (out.length < length) {
    const bytes = crypto.getRandomValues(new Uint8Array(length * 2));
    for (const byte of bytes) {
      if (byte < limit && out.length < length) out.push(ALPHABET[byte % ALPHABET.length]);
    }
  }
  // Groups of five read and dictate more easily; the dashes count towards the length rule.
  return out.join("").replace(/(.{5})(?=.)/g, "$1-");
}

export const MIN_PASSWORD_LENGTH = 12;
