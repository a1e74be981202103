/**
 * Length as China's SMS providers bill it (Aliyun's "短信字数计算规则"): every character counts
 * 1, Chinese or Latin, a space or a full stop alike, and the sign name with its brackets
 * `【…】` is part of the message. Up to 70 characters are one message; longer ones are split
 * into parts of 67. Counted in code points, so an emoji outside the BMP is one character.
 */
export const SINGLE_LIMIT = 70;
export const PART_LIMIT = 67;

export interface ChinaSmsCount {
  characters: number;
  parts: number;
}

export function countChinaSms(text: string): ChinaSmsCount {
  const characters = [...text].length;
  const parts = characters <= SINGLE_LIMIT ? 1 : Math.ceil(characters / PART_LIMIT);
  return { characters, parts };
}

/** The text a person receives: the sign name in brackets, then the approved text filled in. */
export function signedText(signName: string, filled: string): string {
  return `【${signName}】${filled}`;
}
