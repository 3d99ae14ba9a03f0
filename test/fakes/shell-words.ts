/** Split a command line made by quote() back into tokens (bare words and single-quoted parts). Test stand-in only. */
export function splitShellWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated quote in ${line}`);
      current += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '\\') {
      current += line[i + 1] ?? '';
      inWord = true;
      i++;
    } else if (c === ' ') {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}
