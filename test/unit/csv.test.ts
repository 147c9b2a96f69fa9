import { toCsv } from '../../lib/csv';

test('quotes only where needed, one "\\n" after every row, null as an empty cell', () => {
  expect(toCsv([['group', 'key', 'value'], ['course', 'Datos, "Python"', 1.5], ['country', 'CO', null]]))
    .toBe('group,key,value\ncourse,"Datos, ""Python""",1.5\ncountry,CO,\n');
});

test('a text cell that a spreadsheet would read as a formula is neutralised; negative numbers are not', () => {
  expect(toCsv([['=HYPERLINK("http://x")', '+1', '-2', '@SUM(A1)', -3]])).toBe(`"'=HYPERLINK(""http://x"")",'+1,'-2,'@SUM(A1),-3\n`);
});
