/**
 * A small strict XML parser for tests (no XML package is installed): elements,
 * attributes, text, the five named entities and character references, comments
 * and the XML declaration. Anything not well-formed throws with its offset:
 * mismatched or unclosed tags, a bare `<` or `&`, an unknown entity, a
 * duplicate or unquoted attribute, a second root, text outside the root.
 */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The element's own text (children's text not included), entities decoded. */
  readonly text: string;
}

const NAME = /[A-Za-z_:][A-Za-z0-9_.:-]*/y;
const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function parseXml(xml: string): XmlElement {
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`not well-formed XML at offset ${i}: ${what} (near ${JSON.stringify(xml.slice(i, i + 30))})`);
  };
  const decode = (raw: string): string =>
    raw.replace(/&([^;]*);?/g, (whole, ref: string) => {
      if (!whole.endsWith(';')) fail(`"&" not starting an entity`);
      if (ref in ENTITIES) return ENTITIES[ref];
      const m = /^#(x[0-9A-Fa-f]+|[0-9]+)$/.exec(ref);
      if (!m) return fail(`unknown entity &${ref};`);
      return String.fromCodePoint(m[1].startsWith('x') ? parseInt(m[1].slice(1), 16) : parseInt(m[1], 10));
    });
  const skipSpace = () => {
    while (i < xml.length && /\s/.test(xml[i])) i++;
  };
  const name = (): string => {
    NAME.lastIndex = i;
    const m = NAME.exec(xml);
    if (!m) fail('expected a name');
    i += m![0].length;
    return m![0];
  };
  const skipMisc = () => {
    for (;;) {
      skipSpace();
      if (xml.startsWith('<!--', i)) {
        const end = xml.indexOf('-->', i + 4);
        if (end < 0) fail('unclosed comment');
        i = end + 3;
      } else return;
    }
  };

  const element = (): XmlElement => {
    if (xml[i] !== '<') fail('expected "<"');
    i++;
    const tag = name();
    const attributes: Record<string, string> = {};
    for (;;) {
      const before = i;
      skipSpace();
      if (xml.startsWith('/>', i)) {
        i += 2;
        return { name: tag, attributes, children: [], text: '' };
      }
      if (xml[i] === '>') {
        i++;
        break;
      }
      if (i === before) fail('expected white space before an attribute');
      const attr = name();
      if (attr in attributes) fail(`duplicate attribute ${attr}`);
      skipSpace();
      if (xml[i] !== '=') fail(`attribute ${attr} without "="`);
      i++;
      skipSpace();
      const quote = xml[i];
      if (quote !== '"' && quote !== "'") fail(`attribute ${attr} value not quoted`);
      const end = xml.indexOf(quote, i + 1);
      if (end < 0) fail('unterminated attribute value');
      const raw = xml.slice(i + 1, end);
      if (raw.includes('<')) fail(`"<" in the value of ${attr}`);
      attributes[attr] = decode(raw);
      i = end + 1;
    }
    const children: XmlElement[] = [];
    let text = '';
    for (;;) {
      if (i >= xml.length) fail(`<${tag}> not closed`);
      if (xml.startsWith('</', i)) {
        i += 2;
        const closing = name();
        if (closing !== tag) fail(`</${closing}> closes <${tag}>`);
        skipSpace();
        if (xml[i] !== '>') fail('expected ">"');
        i++;
        return { name: tag, attributes, children, text };
      }
      if (xml.startsWith('<!--', i)) {
        skipMisc();
        continue;
      }
      if (xml[i] === '<') {
        children.push(element());
        continue;
      }
      const next = xml.indexOf('<', i);
      const raw = xml.slice(i, next < 0 ? xml.length : next);
      if (raw.includes('>') && raw.includes(']]>')) fail('"]]>" in text');
      text += decode(raw);
      i += raw.length;
    }
  };

  if (xml.startsWith('<?xml', i)) {
    const end = xml.indexOf('?>', i);
    if (end < 0) fail('unclosed XML declaration');
    if (
      !/^<\?xml\s+version="1\.[0-9]"(\s+encoding="[A-Za-z0-9._-]+")?(\s+standalone="(yes|no)")?\s*\?>$/.test(
        xml.slice(0, end + 2),
      )
    )
      fail('malformed XML declaration');
    i = end + 2;
  }
  skipMisc();
  const root = element();
  skipMisc();
  if (i !== xml.length) fail('content after the root element');
  return root;
}

/** The children of an element with one name. */
export const childrenNamed = (e: XmlElement, name: string): XmlElement[] => e.children.filter((c) => c.name === name);
