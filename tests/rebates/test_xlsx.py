""".xlsx workbooks read as a stream: the same cells calamine reads (shared and inline strings,
rich text, numbers, dates in the 1900 and 1904 systems, gaps), shared strings looked up from a
temporary file, prefixed namespaces, and broken workbooks refused whole with a reason."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from community.rebates.reports import files, xlsx, xlsx_stream
from community.rebates.reports.files import BadFile
from tests.rebates import reports


def calamine_rows(path):
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    first = (sheet.start or (0, 0))[0]
    return [(index + first + 1, cells) for index, cells in enumerate(sheet.iter_rows())]


def trimmed(rows):
    """Rows without the empty cells calamine pads them with on the right."""
    found = []
    for number, cells in rows:
        cells = list(cells)
        while cells and cells[-1] == "":
            cells.pop()
        if cells:
            found.append((number, cells))
    return found


def workbook_with_everything(path, date_1904=False):
    """Shared strings (xlsxwriter's default), rich text, numbers, dates and gaps."""
    book = xlsxwriter.Workbook(str(path), {"date_1904": date_1904})
    sheet = book.add_worksheet("Page1")
    dated = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    chinese_date = book.add_format({"num_format": 31})  # yyyy"年"m"月"d"日"
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, ["订单编号", "金额", "付款时间", "备注", "日期"])
    sheet.write_string(1, 0, "3612345678901234567")
    sheet.write_number(1, 1, 19.9)
    sheet.write_datetime(1, 2, datetime(2026, 11, 1, 10, 0, 5), dated)
    sheet.write_rich_string(1, 3, bold, "维权", "中 & <退款>")
    sheet.write_datetime(1, 4, datetime(2026, 11, 2), chinese_date)
    sheet.write_string(3, 0, "3612345678901234999")  # row 3 empty, then a row with a gap
    sheet.write_number(3, 2, 12)
    sheet.write_boolean(3, 4, True)
    book.close()
    return path


@pytest.mark.parametrize("date_1904", [False, True])
def test_cells_are_what_calamine_reads(tmp_path, date_1904):
    path = workbook_with_everything(tmp_path / "all.xlsx", date_1904)
    streamed = list(xlsx.rows(path))
    assert trimmed(streamed) == trimmed(calamine_rows(path))
    assert streamed[1] == (
        2,
        [
            "3612345678901234567",
            19.9,
            datetime(2026, 11, 1, 10, 0, 5),
            "维权中 & <退款>",
            date(2026, 11, 2),
        ],
    )
    assert streamed[2] == (4, ["3612345678901234999", "", 12.0, "", True])


def test_a_taobao_export_reads_the_same_streamed_as_decoded_whole(tmp_path):
    rows = [
        reports.taobao_row(order_no=str(3612345678901230000 + n), sub_order=str(n), adzone="7")
        for n in range(300)
    ]
    path = reports.write_xlsx(tmp_path / "tb.xlsx", reports.TAOBAO_HEADERS, rows, {"付款金额"})
    assert trimmed(xlsx.rows(path)) == trimmed(calamine_rows(path))


def test_shared_strings_are_looked_up_from_a_file_past_the_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "STRINGS_BLOCK", 3)
    monkeypatch.setattr(xlsx, "BLOCKS_CACHED", 2)
    monkeypatch.setattr(xlsx_stream, "READ_BYTES", 512)
    book = xlsxwriter.Workbook(str(tmp_path / "many.xlsx"))
    sheet = book.add_worksheet()
    for n in range(500):
        sheet.write_row(n, 0, [f"订单{n}", f"子订单{n % 7}", "订单结算"])
    book.close()
    streamed = list(xlsx.rows(tmp_path / "many.xlsx"))
    assert len(streamed) == 500
    assert streamed[499] == (500, ["订单499", "子订单2", "订单结算"])
    assert trimmed(streamed) == trimmed(calamine_rows(tmp_path / "many.xlsx"))


def hand_made(path, sheet_xml: str | bytes, strings_xml: str | None = None):
    """A minimal workbook around `sheet_xml`, as other writers than Excel lay one out."""
    workbook = (
        b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        b'<sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    relations = (
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/worksheet" Target="/xl/worksheets/data.xml"/>'
        b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/sharedStrings" Target="strings.xml"/></Relationships>'
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", workbook)
        sheet_xml = sheet_xml.encode() if isinstance(sheet_xml, str) else sheet_xml
        archive.writestr("xl/_rels/workbook.xml.rels", relations)
        archive.writestr("xl/worksheets/data.xml", sheet_xml)
        if strings_xml is not None:
            archive.writestr("xl/strings.xml", strings_xml.encode())
    return path


def test_prefixed_namespaces_inline_strings_and_formula_text(tmp_path):
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
        "<x:sheetData>"
        '<x:row r="1" x14ac:dyDescent="0.25"><x:c r="A1" t="inlineStr"><x:is><x:t>订单编号'
        '</x:t></x:is></x:c><x:c r="C1" t="s"><x:v>1</x:v></x:c></x:row>'
        '<x:row r="2"><x:c r="A2" t="str"><x:f>A1</x:f><x:v>订单编号</x:v></x:c>'
        '<x:c r="B2" t="e"><x:v>#N/A</x:v></x:c><x:c r="C2" t="s"><x:v>0</x:v></x:c></x:row>'
        '<x:row r="3"/>'
        '</x:sheetData><x:mergeCells count="0"/></x:worksheet>'
    )
    strings = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<si><t>付款</t></si><si><r><t>商</t></r><r><t>品</t></r>"
        "<rPh><t>ignored</t></rPh></si></sst>"
    )
    path = hand_made(tmp_path / "prefixed.xlsx", sheet, strings)
    assert list(xlsx.rows(path)) == [
        (1, ["订单编号", "", "商品"]),
        (2, ["订单编号", "#N/A", "付款"]),
    ]


PACKAGE = "http://schemas.openxmlformats.org/package/2006/"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def laid_out_as_excel_does(path, sheet_xml: str, strings_xml: str):
    """A workbook with the parts where Excel puts them (calamine reads only those)."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<Types xmlns="{PACKAGE}content-types">'
            '<Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PACKAGE}relationships"><Relationship Id="rId1" '
            f'Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'xmlns:r="{OFFICE}"><sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets>'
            "</workbook>",
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{PACKAGE}relationships">'
            f'<Relationship Id="rId1" Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{OFFICE}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        archive.writestr("xl/sharedStrings.xml", strings_xml)
    return path


def test_indented_xml_with_comments_cdata_and_references_reads_as_calamine_reads_it(tmp_path):
    sheet = """<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
  <sheetData>
    <row r="1">
      <c r="A1" t="inlineStr">
        <is>
          <t xml:space="preserve"> 订单 &amp; &#20013;&lt;x&gt; </t>
        </is>
      </c>
      <c r="B1" t="s">
        <v>1</v>
      </c>
      <!-- a comment between cells -->
      <c r="C1"><f>1+1</f><v>2</v></c>
      <c r="E1" t="inlineStr"><is><t><![CDATA[<当当>]]></t></is></c>
    </row>
    <row r="3">
      <c r="B3" t="str"><v>a<!-- inside a value -->b</v></c>
    </row>
  </sheetData>
</worksheet>"""
    strings = """<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
  <si><t>付款</t></si>
  <si>
    <r><rPr><b/></rPr><t>商</t></r>
    <r><t xml:space="preserve"> 品</t></r>
    <rPh sb="0" eb="1"><t>しょう</t></rPh>
  </si>
</sst>"""
    path = laid_out_as_excel_does(tmp_path / "indented.xlsx", sheet, strings)
    streamed = list(xlsx.rows(path))
    assert streamed == [(1, [" 订单 & 中<x> ", "商 品", 2.0, "", "<当当>"]), (3, ["", "ab"])]
    assert trimmed(streamed) == trimmed(calamine_rows(path))


@pytest.mark.parametrize("part", ["sheet", "strings"])
def test_a_document_type_in_the_sheet_or_the_strings_is_refused(tmp_path, part):
    declared = '<!DOCTYPE x [<!ENTITY a "aaaaaaaa">]>'
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    )
    strings = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<si><t>付款</t></si></sst>"
    )
    if part == "sheet":
        sheet = declared + sheet.replace("<v>0</v>", "<v>&a;</v>")
    else:
        strings = declared + strings.replace("付款", "&a;")
    path = laid_out_as_excel_does(tmp_path / "dtd.xlsx", sheet, strings)
    with pytest.raises(BadFile) as refused:
        list(files.table_rows(path))
    assert "declares a document type" in str(refused.value.reason)


@pytest.mark.parametrize(
    "sheet",
    [
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
        '<row r="2"><c r="A2"><v>1</v></row></sheetData></worksheet>',
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&bomb;</t></is></c></row>'
        "</sheetData></worksheet>",
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1"><v>1</v></c></row>',
    ],
    ids=["unclosed-cell", "undeclared-entity", "cut-short"],
)
def test_a_broken_sheet_is_refused_whole(tmp_path, sheet):
    path = hand_made(tmp_path / "broken.xlsx", sheet)
    with pytest.raises(BadFile) as refused:
        list(files.table_rows(path))
    assert "Excel" in str(refused.value.reason)


def test_a_document_type_declaration_is_refused(tmp_path):
    path = tmp_path / "dtd.xlsx"
    hand_made(path, b"<worksheet/>")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/styles.xml", b'<!DOCTYPE s [<!ENTITY a "aaaa">]><styleSheet/>')
    with zipfile.ZipFile(path) as archive, pytest.raises(xlsx.BadWorkbook, match="document"):
        xlsx.date_styles(archive, "xl/styles.xml")


def test_a_zip_that_is_not_a_workbook_goes_to_calamine_and_a_torn_one_is_refused(tmp_path):
    other = tmp_path / "notes.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("notes.txt", "不是表格")
    with pytest.raises(BadFile):
        list(files.table_rows(other))
    good = workbook_with_everything(tmp_path / "good.xlsx").read_bytes()
    torn = tmp_path / "torn.xlsx"
    torn.write_bytes(good[: len(good) // 2])
    with pytest.raises(BadFile):
        list(files.table_rows(torn))
    assert io.BytesIO(good).read(4) == files.ZIP_MAGIC


def test_a_part_that_would_unpack_past_the_ceiling_is_refused_before_reading(tmp_path, monkeypatch):
    path = workbook_with_everything(tmp_path / "big.xlsx")
    monkeypatch.setattr(xlsx, "MAX_PART_BYTES", 200)
    with pytest.raises(BadFile) as refused:
        list(files.table_rows(path))
    assert "more than 200" in str(refused.value.reason)


def test_a_row_that_never_ends_is_refused_without_reading_it_all_in(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_stream, "LONGEST_PIECE", 4096)
    monkeypatch.setattr(xlsx_stream, "READ_BYTES", 1024)
    endless = '<c t="inlineStr"><is><t>订单</t></is></c>' * 2000
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<sheetData><row r="1">{endless}</row></sheetData></worksheet>'
    )
    path = hand_made(tmp_path / "endless.xlsx", sheet)
    with pytest.raises(BadFile) as refused:
        list(files.table_rows(path))
    assert "without a complete row" in str(refused.value.reason)
