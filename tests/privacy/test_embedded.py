"""Finding columns that embed a row's name, and swapping the name's words for the fake's."""

import numpy as np

from synthohive.privacy._embedded import embedding_columns, name_words, replace_words


def test_embedding_columns_need_the_rows_own_name_in_most_rows():
    rows = {"name": np.array(["Ann Lee", "Bo Smith", "Cy Jones", "Di Brown"], dtype=object),
            "login": np.array(["ann.lee", "bsmith", "cy_jones", "dib"], dtype=object),
            "note": np.array(["met Smith", "x", "y", "z"], dtype=object),
            "empty": np.array([None, None, None, None], dtype=object)}
    assert embedding_columns(rows, ["name"], ["login", "note", "empty"]) == {"login": ["name"]}


def test_words_are_swapped_in_their_case_and_the_rest_kept():
    mapping = name_words(["Nancy Davolio", "Lee", "Mary Ann Ox"], ["Kefo Dozujafa", "Ruta",
                                                                  "Only Two"])
    assert mapping == {"nancy": "Kefo", "davolio": "Dozujafa", "lee": "Ruta"}  # "Ox" is short
    out = replace_words(np.array(["/img/davolio.bmp", "DAVOLIO, Nancy", "Lee's desk", None,
                                  "Mary Ann"], dtype=object), mapping)
    assert out.tolist() == ["/img/dozujafa.bmp", "DOZUJAFA, Kefo", "Ruta's desk", None,
                            "Mary Ann"]
