import { describe, expect, it } from 'vitest';
import { stripEventHandlerAttributes } from '../../../web/src/markup.js';

describe('dropping event handlers from narrative markup before parsing', () => {
  it.each([
    ['<a href="x" onclick="alert(1)">More</a>', '<a href="x" >More</a>'],
    ['<img src=x onerror=alert(1)>', '<img src=x >'],
    ["<p ONMOUSEOVER='x()' class=a>t</p>", '<p  class=a>t</p>'],
    ['<svg/onload=alert(1)>', '<svg/>'],
    ['<a title="a>b" onclick="x()">t</a>', '<a title="a>b" >t</a>'],
    ['<b>on=1 and onion=2 in text stay</b>', '<b>on=1 and onion=2 in text stay</b>'],
    ['<td data-on="1">x</td>', '<td data-on="1">x</td>'],
    ['dose < 5 onset=3 days > later', 'dose < 5 onset=3 days > later'],
    ['<p>unclosed <a onclick="x', '<p>unclosed <a '],
  ])('should turn %j into %j', (input, expected) => {
    expect(stripEventHandlerAttributes(input)).toBe(expected);
  });

  // How long these take is measured by `npm run bench:classify` (markup_hostile_ms), not here.
  it.each([
    ['an odd run of quotes that never closes the tag', `<a ${'"'.repeat(50_001)}${"'".repeat(50_001)}${' on='.repeat(50_000)}`, `<a ${'"'.repeat(50_001)}${"'".repeat(50_001)}${' '.repeat(25_000)}`],
    ['100,000 tag openings with no end', '<a'.repeat(100_000), '<a'.repeat(100_000)],
    ['50,000 handlers whose quoted values swallow the next one', `<a ${' onx="'.repeat(50_000)}`, `<a ${' '.repeat(25_000)}`],
  ])('should drop handlers from hostile markup (%s) as it does from ordinary tags', (_case, input, expected) => {
    expect(stripEventHandlerAttributes(input)).toBe(expected);
  });
});
