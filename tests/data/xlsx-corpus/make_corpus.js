// Writes the corpus table (make_corpus.py's TABLE) with SheetJS (npm `xlsx`) or exceljs (workbook or streaming
// writer). Run by make_corpus.py: node make_corpus.js sheetjs|exceljs|exceljs-stream <target.xlsx>
"use strict";

const [writer, target] = process.argv.slice(2);
const HEADERS = ["名称", "数量", "金额", "决定日期", "日期14", "日期31", "日期58", "中文日期", "时间", "布尔", "备注"];
const TITLE = "雷州市行政处罚信息（测试语料）";
const DATE_FORMATS = ["yyyy-mm-dd", "m/d/yy", 'yyyy"年"m"月"d"日"', 'm"月"d"日"', 'yyyy"年"m"月"d"日"'];
const day = (y, m, d) => Date.UTC(y, m - 1, d) / 86400000 + 25569; // Excel serial of a UTC day
const ROWS = [
  ["雷州市某某贸易有限公司", 12, 0.1 + 0.2, day(2026, 11, 20), day(2026, 11, 20) + 8.5 / 24, true, "罚款5000元"],
  ["张三", -3, 1234567.891, day(2024, 2, 29), day(2024, 2, 29) + 86399 / 86400, false, "  前后空格  "],
  [null, 0, 1e-7, day(1999, 12, 31), day(1999, 12, 31) + 0.5, true, "换行\n第二行"],
  ['A&B <公司> "引号"', 1e15, -0.5, day(2000, 1, 1), day(2000, 1, 1), null, "'单引号"],
];
const SECOND = [["编号", "说明"], [1, "第二个工作表"], [2.5, "稀疏"]];

function sheetjs() {
  const XLSX = require("xlsx");
  const ws = {};
  const put = (r, c, cell) => { ws[XLSX.utils.encode_cell({ r, c })] = cell; };
  put(0, 0, { t: "s", v: TITLE });
  HEADERS.forEach((h, c) => put(1, c, { t: "s", v: h }));
  let r = 2;
  ROWS.forEach((row, i) => {
    if (i === 2) r++;
    const [name, count, amount, serial, when, flag, note] = row;
    if (name !== null) put(r, 0, { t: "s", v: name });
    put(r, 1, { t: "n", v: count });
    put(r, 2, { t: "n", v: amount });
    DATE_FORMATS.forEach((z, k) => put(r, 3 + k, { t: "n", v: serial, z }));
    put(r, 8, { t: "n", v: when, z: "yyyy-mm-dd hh:mm:ss" });
    if (flag !== null) put(r, 9, { t: "b", v: flag });
    put(r, 10, { t: "s", v: note });
    r++;
  });
  ws["!ref"] = XLSX.utils.encode_range({ s: { r: 0, c: 0 }, e: { r: r - 1, c: HEADERS.length - 1 } });
  ws["!merges"] = [{ s: { r: 0, c: 0 }, e: { r: 0, c: HEADERS.length - 1 } }];
  const second = XLSX.utils.aoa_to_sheet(SECOND);
  XLSX.utils.sheet_add_aoa(second, [["远处的单元格"]], { origin: "J20" });
  const hidden = XLSX.utils.aoa_to_sheet([["不读"]]);
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, ws, "行政处罚");
  XLSX.utils.book_append_sheet(book, second, "Sheet2");
  XLSX.utils.book_append_sheet(book, hidden, "隐藏");
  book.Workbook = { Sheets: [{ Hidden: 0 }, { Hidden: 0 }, { Hidden: 1 }] };
  XLSX.writeFile(book, target, { bookType: "xlsx", compression: true });
}

function fillExceljs(book, commit) {
  const ws = book.addWorksheet("行政处罚");
  ws.getCell("A1").value = TITLE;
  ws.mergeCells(1, 1, 1, HEADERS.length);
  commit(ws.getRow(1));
  commit(Object.assign(ws.getRow(2), { values: HEADERS }));
  let r = 3;
  ROWS.forEach((values, i) => {
    if (i === 2) r++;
    const [name, count, amount, serial, when, flag, note] = values;
    const row = ws.getRow(r++);
    const date = new Date((serial - 25569) * 86400000);
    if (name !== null) row.getCell(1).value = name;
    row.getCell(2).value = count;
    row.getCell(3).value = amount;
    DATE_FORMATS.forEach((z, k) => { const c = row.getCell(4 + k); c.value = date; c.numFmt = z; });
    const stamp = row.getCell(9);
    stamp.value = new Date(Math.round((when - 25569) * 86400) * 1000);
    stamp.numFmt = "yyyy-mm-dd hh:mm:ss";
    if (flag !== null) row.getCell(10).value = flag;
    row.getCell(11).value = note;
    commit(row);
  });
  const second = book.addWorksheet("Sheet2");
  SECOND.forEach((values, i) => commit(Object.assign(second.getRow(i + 1), { values })));
  second.getCell("J20").value = "远处的单元格";
  commit(second.getRow(20));
  const hidden = book.addWorksheet("隐藏", { state: "hidden" });
  hidden.getCell("A1").value = "不读";
  commit(hidden.getRow(1));
  return [ws, second, hidden];
}

async function exceljs(streaming) {
  const ExcelJS = require("exceljs");
  if (streaming) { // the streaming writer: inline strings unless useSharedStrings
    const book = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: target, useSharedStrings: false, useStyles: true });
    for (const ws of fillExceljs(book, (row) => row.commit())) ws.commit();
    await book.commit();
  } else {
    const book = new ExcelJS.Workbook();
    fillExceljs(book, () => {});
    await book.xlsx.writeFile(target);
  }
}

if (writer === "sheetjs") sheetjs();
else if (writer === "exceljs") exceljs(false);
else if (writer === "exceljs-stream") exceljs(true);
else { console.error(`unknown writer ${writer}`); process.exit(2); }
