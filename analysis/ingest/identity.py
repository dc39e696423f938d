"""Client identity: names and ids normalised once per distinct value, spellings of one client
merged under one key, and the spelling shown for it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.ingest.codes import Encoded, categorical, encode

_SPACES = r"[\s\x0b\x85\x{00a0}\x{202f}\x{2009}]+"
# The ASCII white space _SPACES matches, doubled spaces included: without them, no run to collapse.
_ASCII_SPACES = ("  ", "\t", "\n", "\v", "\f", "\r")
_UNUSUAL_SPACES = ("  ", "\u00a0", "\u202f", "\u2009", "\t", "\n", "\r", "\v", "\x85")
# C0 and C1 control characters other than the white space above: PostgreSQL refuses NUL in text.
_CONTROLS = r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]"  # RE2 and Python alike


def normalised(column: pd.Series) -> Encoded:
    """Distinct cells trimmed, inner white space (no-break too) collapsed, numbers written as ids
    without `.0`; empty cells have code -1. The work is done once per distinct value."""
    if pd.api.types.is_float_dtype(column):
        whole = column.dropna()
        if (whole == np.round(whole)).all():
            column = column.astype("Int64")
    encoded = encode(column)
    text = encoded.uniques
    if pc.any(pc.match_substring_regex(text, _CONTROLS)).as_py():
        text = pc.replace_substring_regex(text, _CONTROLS, "")
    if any(pc.any(pc.match_substring(text, mark)).as_py() for mark in _UNUSUAL_SPACES):
        text = pc.replace_substring_regex(text, _SPACES, " ")
    text = pc.utf8_trim_whitespace(text)
    if not pc.any(pc.not_equal(text, encoded.uniques)).as_py():
        return encoded
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, text.type), text)
    again = pc.dictionary_encode(text)
    remap = again.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    codes = (
        np.where(encoded.present, remap[np.maximum(encoded.codes, 0)], -1)
        if len(remap)
        else encoded.codes
    )
    return Encoded(codes, again.dictionary)


def without_controls(column: pd.Series) -> pd.Series:
    """A carried column with control characters out of its text cells (white space as spaces)."""
    if not (pd.api.types.is_string_dtype(column) or column.dtype == object):
        return column
    cleaned = column.str.replace(_CONTROLS, "", regex=True).str.replace(
        r"[\t\n\r\x0b\x0c\x85]", " ", regex=True
    )
    return cleaned.where(cleaned.notna(), column)  # numbers in a mixed column stay numbers


def fold_names(text: pa.Array) -> pa.Array:
    """Vectorised `fold`: case, accents and runs of white space ignored; trailing colons too.
    Plain ASCII names, the common case, skip the Unicode work that cannot change them."""
    if pc.all(pc.string_is_ascii(text)).as_py() is not False:
        array = pc.ascii_lower(text)
        if any(pc.any(pc.match_substring(array, mark)).as_py() for mark in _ASCII_SPACES):
            array = pc.replace_substring_regex(array, _SPACES, " ")
    else:
        array = pc.utf8_normalize(text, "NFKD")
        array = pc.replace_substring_regex(array, r"\p{Mn}+", "")
        array = pc.utf8_lower(array)
        array = pc.replace_substring_regex(array, _SPACES, " ")
    return pc.utf8_trim(array, " :")


def _factorized(folded: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Codes and distinct values of folded names, in order of first appearance."""
    encoded = pc.dictionary_encode(folded)
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, encoded.dictionary


def _by_first_appearance(codes: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """`pd.factorize` of small non-negative codes: renumbered in order of first appearance, with
    the old code of each new one. A minimum per code replaces a hash of every row."""
    first = np.full(count, len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes), dtype=np.int64))
    used = np.flatnonzero(first < len(codes))
    used = used[np.argsort(first[used], kind="stable")]
    renumber = np.empty(count, dtype=np.int64)
    renumber[used] = np.arange(len(used), dtype=np.int64)
    return renumber[codes], used


@dataclass(frozen=True)
class Identity:
    """Each row's client as a categorical key, the spelling shown for it, and how many distinct
    spellings were merged."""

    key: pd.Categorical
    display: pd.Categorical
    spellings: int


def identify(
    names: Encoded | None, ids: Encoded | None, folded: pa.Array | None = None
) -> Identity:
    """One key per client (its id, else its folded name), shown under its most frequent spelling,
    the first seen on a tie. `folded` is `fold_names(names.uniques)` when the caller has it."""
    name_keys: np.ndarray = np.zeros(0, dtype=np.int64)
    name_key_text: pa.Array = pa.array([], type=pa.string())
    if names is not None:
        name_keys, name_key_text = _factorized(
            fold_names(names.uniques) if folded is None else folded
        )
    if ids is not None:
        id_keys, id_key_text = pd.factorize(
            np.array([str(v).casefold() for v in ids.uniques.to_pylist()], dtype=object)
        )
        # A row without an id falls back to its name (numbered after the ids).
        by_name = (
            len(id_key_text) + name_keys[np.maximum(names.codes, 0)] if names is not None else 0
        )
        row_key = np.where(ids.present, id_keys[np.maximum(ids.codes, 0)], by_name)
        all_keys = pa.array(
            np.concatenate([id_key_text, name_key_text.to_numpy(zero_copy_only=False)]),
            type=pa.string(),
        )
        # The spelling of a row: its name, else its id (spellings are numbered after the names).
        name_count = len(names.uniques) if names is not None else 0
        spelling_codes = np.where(
            names.present if names is not None else False,
            names.codes if names is not None else 0,
            name_count + np.maximum(ids.codes, 0),
        )
        spelling_text = pa.concat_arrays(
            ([names.uniques.cast(pa.string())] if names is not None else [])
            + [pa.array([str(v) for v in ids.uniques.to_pylist()], type=pa.string())]
        )
    else:
        assert names is not None
        row_key = name_keys[names.codes]
        all_keys = name_key_text
        spelling_codes = names.codes
        spelling_text = names.uniques
    row_key, used_keys = _by_first_appearance(np.asarray(row_key, dtype=np.int64), len(all_keys))
    keys = categorical(row_key, all_keys.take(pa.array(used_keys)))
    spelling_count = len(spelling_text)
    counts = np.bincount(spelling_codes, minlength=spelling_count)
    used = np.flatnonzero(counts)
    if ids is None:
        # A spelling folds to one key: the spellings themselves are ranked, and no two keys
        # share their shown name.
        key_of_spelling = np.zeros(spelling_count, dtype=np.int64)
        key_of_spelling[spelling_codes] = row_key
        best = _most_frequent(key_of_spelling[used], used, counts[used])
        return Identity(keys, categorical(row_key, spelling_text.take(pa.array(best))), len(used))
    # Two ids may share a name: each (client, spelling) pair is ranked, and the shown names are
    # categories of their own.
    pairs, pair_counts = np.unique(row_key * spelling_count + spelling_codes, return_counts=True)
    best = _most_frequent(pairs // spelling_count, pairs % spelling_count, pair_counts)
    display_names = spelling_text.take(pa.array(best)).to_numpy(zero_copy_only=False)
    display_of_key, unique_names = pd.factorize(display_names)
    display = categorical(display_of_key[row_key], pa.array(unique_names, type=pa.string()))
    return Identity(keys, display, len(used))


def _most_frequent(owners: np.ndarray, spellings: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """For each owner (0, 1, ... each present), its spelling with the most rows, the first seen
    on a tie: Arrow numbers distinct values in order of first appearance, so a lower code was
    seen first."""
    order = np.lexsort((spellings, -counts, owners))
    return spellings[order][np.r_[True, np.diff(owners[order]) != 0]]
