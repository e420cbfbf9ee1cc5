// RFC 4180 records: parsing the server's CSV and writing records back unchanged.

/** Records (arrays of fields) from CSV text with CRLF or LF line ends. */
export function parseCSV(text) {
  const records = [];
  let record = [];
  let field = "";
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index];
    if (quoted) {
      if (character === '"' && text[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (character === '"') {
        quoted = false;
      } else {
        field += character;
      }
    } else if (character === '"') {
      quoted = true;
    } else if (character === ",") {
      record.push(field);
      field = "";
    } else if (character === "\n" || character === "\r") {
      if (character === "\r" && text[index + 1] === "\n") index += 1;
      record.push(field);
      records.push(record);
      record = [];
      field = "";
    } else {
      field += character;
    }
  }
  if (field !== "" || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

/** The server's CSV cell for a dimension value: a leading `'` before what a spreadsheet reads as a formula. */
export function neutralized(value) {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function field(value) {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** CSV text with CRLF line ends, quoting only the fields that need it (as the server does). */
export function writeCSV(records) {
  return records.map((record) => `${record.map(field).join(",")}\r\n`).join("");
}
