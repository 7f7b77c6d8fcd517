"""lib.tabular.reading: every category of awkward or hostile file, against pandas as the oracle.

``CATEGORIES`` is shared with the page test: each entry is raw bytes plus what must happen
(a ``CsvError`` mentioning some words, or a correct read).
"""

from __future__ import annotations

import bz2
import gzip
import io
import zipfile

import numpy as np
import pandas as pd
import pytest

from lib.tabular.reading import (
    MAX_COLUMNS,
    CsvError,
    detect_delimiter,
    detect_encoding,
    detect_header,
    read_csv_bytes,
)


def _table(n: int = 40, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "height": rng.normal(170, 10, n).round(2),
            "weight": rng.normal(70, 8, n).round(2),
            "colour": rng.choice(["red", "green", "blue"], n),
            "label": rng.choice(["yes", "no"], n),
        }
    )


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


GOOD_CSV = _table().to_csv(index=False).encode()

# name -> (bytes, words the CsvError must contain)
REFUSED = {
    "empty": (b"", "empty"),
    "blank lines": (b"\n\n  \n", "empty"),
    "header only": (b"height,weight,label\n", "no data rows"),
    "binary": (bytes(range(256)) * 64, "binary"),
    "png": (_png(), "PNG image"),
    "jpeg": (b"\xff\xd8\xff\xe0" + bytes(200), "JPEG"),
    "xlsx": (_xlsx(), "Excel"),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "Excel"),
    "gzip": (gzip.compress(GOOD_CSV), "gzip"),
    "gzip bomb": (gzip.compress(b"0," * 20_000_000), "gzip"),
    "bz2": (bz2.compress(GOOD_CSV), "bzip2"),
    "zip": (_xlsx(), "ZIP"),
    "pdf": (b"%PDF-1.7\n" + bytes(100), "PDF"),
    "control characters": (bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 17]) * 500, "not text"),
    "huge single field": (b'a,b\n1,"' + b"x" * 1_200_000 + b'"\n2,y\n', "single field"),
    "thousands of columns": (
        (",".join(f"c{i}" for i in range(5000)) + "\n" + ",".join(["1"] * 5000) + "\n").encode(),
        f"at most {MAX_COLUMNS:,}",
    ),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_with_a_specific_one_line_message(name):
    data, words = REFUSED[name]
    with pytest.raises(CsvError) as info:
        read_csv_bytes(data)
    message = str(info.value)
    assert words.lower() in message.lower()
    assert "\n" not in message
    assert isinstance(info.value, ValueError)


def test_gzip_bomb_is_refused_without_decompressing():
    bomb = gzip.compress(bytes(50_000_000))  # 50 MB of zeros in ~50 kB
    assert len(bomb) < 100_000
    with pytest.raises(CsvError, match="gzip"):
        read_csv_bytes(bomb)


def test_plain_csv_equals_pandas():
    result = read_csv_bytes(GOOD_CSV)
    expected = pd.read_csv(io.BytesIO(GOOD_CSV))
    pd.testing.assert_frame_equal(result.frame, expected)
    assert (result.encoding, result.delimiter, result.decimal, result.header) == (
        "utf-8",
        ",",
        ".",
        True,
    )
    assert result.warnings == []


@pytest.mark.parametrize(
    "encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1"]
)
def test_encodings(encoding):
    df = pd.DataFrame({"city": ["São Paulo", "Zürich", "Kraków"] * 5, "temp": range(15)})
    if encoding == "cp1252":
        df["city"] = ["Café €", "naïve", "Zürich"] * 5  # € exists in cp1252 only
    if encoding == "latin-1":
        df["city"] = ["Señor", "Zürich", "\x81odd"] * 5  # 0x81 is undefined in cp1252
    data = df.to_csv(index=False).encode(encoding)
    if encoding == "utf-16":
        assert data[:2] in (b"\xff\xfe", b"\xfe\xff")
    result = read_csv_bytes(data)
    assert result.frame["city"].tolist() == df["city"].tolist()
    assert result.frame["temp"].tolist() == list(range(15))
    assert result.encoding == {"cp1252": "cp1252", "latin-1": "latin-1"}.get(
        encoding, result.encoding
    )


def test_encoding_detection_units():
    assert detect_encoding(b"a,b\n1,2\n") == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbfa,b\n") == "utf-8-sig"
    assert detect_encoding("a,b\n1,2\n".encode("utf-16-le")) == "utf-16-le"
    assert detect_encoding("é,b\n".encode("cp1252")) == "cp1252"


def test_semicolons_and_decimal_commas():
    data = b"length;width;species\n1,5;0,25;a\n2,75;1,0;b\n3,0;-0,5;a\n4,25;1,5;b\n"
    result = read_csv_bytes(data)
    assert (result.delimiter, result.decimal) == (";", ",")
    assert result.frame["length"].tolist() == [1.5, 2.75, 3.0, 4.25]
    assert result.frame["width"].tolist() == [0.25, 1.0, -0.5, 1.5]


def test_tabs_and_pipes():
    df = _table()
    for sep in ("\t", "|"):
        result = read_csv_bytes(df.to_csv(index=False, sep=sep).encode())
        assert result.delimiter == sep
        pd.testing.assert_frame_equal(result.frame, df)


def test_quoted_newlines_and_separators():
    data = b'id,note,label\n1,"line one\nline two",a\n2,"a, b, c",b\n3,"say ""hi""",a\n'
    result = read_csv_bytes(data)
    assert result.frame.shape == (3, 3)
    assert result.frame["note"].tolist() == ["line one\nline two", "a, b, c", 'say "hi"']


def test_one_column_is_never_split_on_a_letter():
    data = b"word\nsesame\nseesaw\nsassy\n"
    result = read_csv_bytes(data)
    assert result.frame.columns.tolist() == ["word"]
    assert result.frame["word"].tolist() == ["sesame", "seesaw", "sassy"]
    assert detect_delimiter("word\nsesame\nseesaw\n") in (",", ";", "\t", "|")


def test_one_column_with_commas_inside_values_stays_one_column():
    data = b"sentence\nhello there\nwell, well\nok\n"
    result = read_csv_bytes(data, delimiter=None)
    assert result.frame.shape[0] == 3


def test_headerless_file_gets_column_names():
    data = b"5.1,3.5,1.4,0.2,setosa\n4.9,3.0,1.4,0.2,setosa\n6.3,3.3,6.0,2.5,virginica\n"
    result = read_csv_bytes(data)
    assert result.header is False
    assert result.frame.shape == (3, 5)
    assert result.frame.columns.tolist() == [f"column_{i}" for i in range(1, 6)]
    assert result.frame["column_1"].tolist() == [5.1, 4.9, 6.3]
    assert detect_header([["a", "b"], ["1", "2"]]) is True
    assert detect_header([["1", "2"], ["3", "4"]]) is False


def test_header_override():
    data = b"5.1,3.5,setosa\n4.9,3.0,setosa\n"
    assert read_csv_bytes(data, header=True).frame.shape == (1, 3)
    assert read_csv_bytes(data, header=False).frame.shape == (2, 3)


def test_delimiter_and_decimal_override():
    data = b"a;b\n1,5;2\n3,5;4\n"
    forced = read_csv_bytes(data, delimiter=",")
    assert forced.delimiter == ","
    assert read_csv_bytes(data, decimal=".").frame[
        "a"
    ].dtype == object or not pd.api.types.is_float_dtype(
        read_csv_bytes(data, decimal=".").frame["a"]
    )
    with pytest.raises(CsvError, match="separator"):
        read_csv_bytes(data, delimiter="x")
    with pytest.raises(CsvError, match="encoding"):
        read_csv_bytes(data, encoding="klingon")


def test_duplicate_and_empty_column_names_are_made_unique_and_reported():
    data = b"a,a,,b, a \n1,2,3,4,5\n6,7,8,9,10\n"
    result = read_csv_bytes(data)
    names = result.frame.columns.tolist()
    assert len(set(names)) == len(names) == 5
    assert names[:4] == ["a", "a_2", "column_3", "b"]
    assert result.renamed
    assert any("unique" in w for w in result.warnings)


def test_ragged_rows_are_skipped_and_counted():
    data = b"a,b,c\n1,2,3\n4,5,6,7\n8,9\n10,11,12\n13,14,15,16,17\n"
    result = read_csv_bytes(data)
    assert result.skipped_rows == 2
    assert result.frame["a"].tolist() == [1, 8, 10]
    assert any("skipped" in w for w in result.warnings)


def test_html_and_formulas_are_kept_verbatim():
    data = b"<b>name</b>,=SUM(A1),label\n<script>alert(1)</script>,=1+1,@x\n**bold**,-2,+3\n"
    result = read_csv_bytes(data)
    assert result.frame.columns.tolist() == ["<b>name</b>", "=SUM(A1)", "label"]
    assert result.frame["<b>name</b>"].tolist() == ["<script>alert(1)</script>", "**bold**"]


def test_inf_and_huge_numbers_are_read_as_floats():
    result = read_csv_bytes(b"x,y\ninf,1e308\n-inf,2\n1,-1e308\n")
    assert np.isinf(result.frame["x"].iloc[0]) and result.frame["y"].iloc[0] == 1e308


def test_stray_text_in_a_numeric_column_becomes_missing_with_a_note():
    rows = "\n".join(f"{i},{'?' if i == 3 else i * 1.5}" for i in range(60))
    result = read_csv_bytes(("id,value\n" + rows + "\n").encode())
    assert pd.api.types.is_float_dtype(result.frame["value"])
    assert result.frame["value"].isna().sum() == 1
    assert any("'?'" in w for w in result.warnings)


def test_mixed_type_column_stays_text():
    data = (
        "v,label\n" + "\n".join(f"{i if i % 2 else 'abc'},x" for i in range(40)) + "\n"
    ).encode()
    result = read_csv_bytes(data)
    assert not pd.api.types.is_numeric_dtype(result.frame["v"])


def test_true_false_column():
    result = read_csv_bytes(b"x,flag\n1,True\n2,False\n3,True\n")
    assert pd.api.types.is_bool_dtype(result.frame["flag"])


def test_single_data_row_and_single_column_read():
    assert read_csv_bytes(b"a,b\n1,2\n").frame.shape == (1, 2)
    assert read_csv_bytes(b"a\n1\n2\n").frame.shape == (2, 1)


def test_twenty_thousand_distinct_categories():
    n = 20_000
    df = pd.DataFrame(
        {"code": [f"k{i}" for i in range(n)], "x": np.arange(n) % 7, "y": np.arange(n) % 2}
    )
    result = read_csv_bytes(df.to_csv(index=False).encode())
    assert result.frame.shape == (n, 3)


def test_size_limit():
    with pytest.raises(CsvError, match="limit"):
        read_csv_bytes(GOOD_CSV, max_bytes=100)


def test_read_csv_code_reads_the_same_table(tmp_path):
    data = b"a;b;label\n1,5;2;x\n2,5;3;y\n"
    result = read_csv_bytes(data)
    path = tmp_path / "data.csv"
    path.write_bytes(data)
    scope: dict = {"pd": pd}
    exec(result.read_csv_code(str(path)), scope)
    pd.testing.assert_frame_equal(scope["df"], result.frame)


def test_read_csv_file_refuses_a_file_over_the_limit_before_reading_it(tmp_path):
    from lib.tabular.reading import read_csv_file

    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 1000)
    with pytest.raises(CsvError, match="the limit is"):
        read_csv_file(path, max_bytes=100)
    assert read_csv_file(path).frame.shape == (1000, 2)  # mapped and read in place


TABLE = "income,score,label\n" + "".join(
    f"{1000 + i},{i % 7}.5,{'yes' if i % 3 else 'no'}\n" for i in range(60)
)


@pytest.mark.parametrize(
    "preamble, n_lines",
    [
        ("Customer survey results Q3 2024\n", 1),
        ("sep=,\n", 1),
        ("# exported by tool\n# 2024-10-01\n", 2),
        ("Sales report\n\n", 2),
        ("", 0),
    ],
)
def test_lines_above_the_header_are_skipped_and_named(preamble, n_lines):
    result = read_csv_bytes((preamble + TABLE).encode())
    assert list(result.frame.columns) == ["income", "score", "label"]
    assert len(result.frame) == 60 and result.frame["income"].iloc[0] == 1000
    assert result.preamble == n_lines
    assert (
        f"{n_lines} line(s) above the header row were skipped" in " ".join(result.warnings)
    ) == bool(n_lines)
    if n_lines:
        assert f"skiprows={n_lines}" in result.read_csv_code()
        reread = pd.read_csv(io.BytesIO((preamble + TABLE).encode()), skiprows=n_lines)
        assert reread.shape == result.frame.shape


def test_excel_sep_line_declares_the_separator():
    result = read_csv_bytes(("sep=;\n" + TABLE.replace(",", ";")).encode())
    assert result.delimiter == ";" and result.preamble == 1 and result.frame.shape == (60, 3)


def test_a_header_with_fewer_fields_than_r_style_rows_is_kept():
    """R's write.csv: the header lacks the row-name column; it is the header, not a title."""
    data = '"a","b"\n"1",1,x\n"2",2,y\n"3",3,x\n'
    result = read_csv_bytes(data.encode())
    assert result.preamble == 0


def test_classic_mac_line_ends_are_read():
    result = read_csv_bytes(TABLE.replace("\n", "\r").encode())
    assert result.frame.shape == (60, 3) and result.frame["income"].iloc[-1] == 1059


@pytest.mark.parametrize(
    "data",
    [
        b'{"a": 1, "b": 2}\n{"a": 3, "b": 4}\n',
        b'[\n  {"a": 1}\n]\n',
        b'{\n "rows": []\n}',
        b'[{"a":1},{"a":2}]',
    ],
)
def test_json_is_named_as_json(data):
    with pytest.raises(CsvError, match="JSON file, not a CSV"):
        read_csv_bytes(data)


def test_bracketed_column_names_are_not_json():
    result = read_csv_bytes(b"[Name],[Age]\nx,1\ny,2\nz,3\n")
    assert list(result.frame.columns) == ["[Name]", "[Age]"]


def test_a_utf8_file_with_a_few_windows_1252_bytes_keeps_both_right():
    rows = "".join(f"Zürich,{i},{'yes' if i % 2 else 'no'}\n" for i in range(300))
    data = ("city,x,label\n" + rows).encode() + "Besançon,1,yes\n".encode("cp1252")
    result = read_csv_bytes(data)
    assert result.encoding == "utf-8" and result.mixed_encoding
    assert set(result.frame["city"]) == {"Zürich", "Besançon"}
    note = " ".join(result.warnings)
    assert "1 byte(s) in another encoding (the first on line 302)" in note
    assert "encoding_errors='replace'" in result.read_csv_code()


def test_a_windows_1252_file_is_not_mistaken_for_mixed():
    data = "".join(f"café {i},naïve,{i % 2}\n" for i in range(50)).encode("cp1252")
    result = read_csv_bytes(b"a,b,label\n" + data)
    assert result.encoding == "cp1252" and not result.mixed_encoding
    assert result.frame["b"].iloc[0] == "naïve"


def test_a_large_utf8_file_with_one_stray_byte_late_is_repaired(tmp_path):
    """Past the first megabyte the path parse fails strictly; every byte is then checked."""
    from lib.tabular.reading import read_csv_file

    rows = "".join(f"Kraków,{i},{'yes' if i % 2 else 'no'}\n" for i in range(120_000))
    path = tmp_path / "big.csv"
    path.write_bytes(("city,x,label\n" + rows).encode() + "São Tomé,1,yes\n".encode("cp1252"))
    result = read_csv_file(path)
    assert result.encoding == "utf-8" and result.mixed_encoding
    assert set(result.frame["city"]) == {"Kraków", "São Tomé"}


def test_leading_blank_lines_and_stray_carriage_returns_are_no_preamble(tmp_path):
    from lib.tabular.reading import read_csv_file

    mixed = TABLE.replace("\n", "\r\n", 5)  # Windows line ends for the first rows only
    for data in ("\n\n" + TABLE, mixed, "\n\n" + mixed):
        result = read_csv_bytes(data.encode())
        assert result.preamble == 0 and result.frame.shape == (60, 3), data[:40]
        path = tmp_path / "f.csv"
        path.write_bytes(("Title\n" + data).encode())
        from_file = read_csv_file(path)  # memory-mapped: the cut works on a map too
        assert from_file.preamble >= 1 and from_file.frame.shape == (60, 3)


# Realistic tables in the encodings a classroom meets: each must come back letter for letter,
# with the encoding named in a note (a guess) or silently (recognised for certain).
ENCODING_CORPUS = {
    "cp1252": ["São Paulo", "Zürich", "Montréal", "Århus", "Málaga", "Köln", "Besançon"],
    "latin-1": ["São Paulo", "Zürich", "Montréal", "Århus", "Málaga", "Köln", "Besançon"],
    "cp1250": ["Łódź", "Wrocław", "Gdańsk", "Poznań", "Kraków", "Brno", "Žilina", "Győr"],
    "iso8859-2": ["Łódź", "Wrocław", "Gdańsk", "Poznań", "Kraków", "Ústí", "Žilina", "Szeged"],
    "cp1251": ["Москва", "Київ", "Минск", "София", "Новосибирск", "Екатеринбург"],
    "cp932": ["東京", "大阪", "名古屋", "札幌", "福岡", "横浜", "神戸"],
    "gb18030": ["北京", "上海", "广州", "深圳", "成都", "杭州", "武汉"],
    "cp949": ["서울", "부산", "인천", "대구", "대전", "광주", "울산"],
    "big5": ["台北", "高雄", "台中", "台南", "新竹", "基隆", "嘉義"],
    "utf-16": ["Москва", "東京", "São Paulo", "Łódź"],
    "utf-16-le": ["Москва", "東京", "São Paulo", "Łódź"],
}


@pytest.mark.parametrize("encoding", sorted(ENCODING_CORPUS))
def test_encoding_corpus_reads_every_letter(encoding):
    from lib.tabular.reading import ENCODING_LABELS

    cities = ENCODING_CORPUS[encoding]
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "city": [cities[i % len(cities)] for i in range(24)],
            "population": rng.integers(1_000, 9_000_000, 24),
            "label": ["big", "small"] * 12,
        }
    )
    data = df.to_csv(index=False).encode(encoding)
    result = read_csv_bytes(data)
    assert result.frame["city"].tolist() == df["city"].tolist()
    assert result.frame["population"].tolist() == df["population"].tolist()
    if encoding.startswith("utf-16"):
        assert not any("not UTF-8" in w for w in result.warnings)
    else:
        assert str(data, result.encoding) == str(data, encoding)
        note = next(w for w in result.warnings if "not UTF-8" in w)
        assert ENCODING_LABELS[result.encoding] in note


@pytest.mark.parametrize("encoding", ["cp1251", "cp932", "gb18030", "cp949", "big5", "cp1250"])
def test_every_corpus_encoding_is_offered_as_an_override(encoding):
    from lib.tabular.reading import ENCODINGS

    cities = ENCODING_CORPUS[encoding]
    data = ("city,n\n" + "".join(f"{c},{i}\n" for i, c in enumerate(cities))).encode(encoding)
    assert encoding in ENCODINGS
    assert read_csv_bytes(data, encoding=encoding).frame["city"].tolist() == cities


def test_a_long_field_under_the_limit_is_read_and_one_over_it_names_the_limit():
    # Python's csv module alone refuses fields over 131,072 characters while sampling.
    long_text = "x" * 140_000
    data = f"note,label\n{long_text},a\nshort,b\n".encode()
    result = read_csv_bytes(data)
    assert result.frame["note"].str.len().max() == 140_000
    with pytest.raises(CsvError, match="100,000"):
        read_csv_bytes(data, max_field_chars=100_000)


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_the_reader_refuses_what_is_not_a_file_without_blocking(tmp_path, kind):
    import os

    from lib.tabular.reading import read_csv_file

    if kind == "fifo":
        path = tmp_path / "pipe.csv"
        os.mkfifo(path)  # no writer: open() would block for ever
    elif kind == "device":
        path = "/dev/zero"  # never ends: would be read up to the size limit
    else:
        path = tmp_path
    with pytest.raises(CsvError, match="not a file"):
        read_csv_file(path)
