"""The caches: the memo of file digests (inputs are hashed again exactly when their stat moved), and what
the check stage reuses after an edit."""

import hashlib
import json
import os
import shutil
from collections import Counter
from pathlib import Path

from pipeline.cache import FileDigests, ItemPacks
from pipeline.cli import main
from pipeline.qa.catalog import PairIndex


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def settled(path, seconds_ago=60):
    """Give ``path`` a modification time in the past, as a file untouched for a while has."""
    past = path.stat().st_mtime_ns - seconds_ago * 1_000_000_000
    os.utime(path, ns=(past, past))


def test_a_file_changed_in_the_last_seconds_is_not_remembered(tmp_path):
    page = tmp_path / "page.html"
    page.write_bytes(b"<p>5 mg</p>")
    settled(page)
    reads = []

    def reading(path):
        reads.append(path)
        return path.read_bytes()

    memo = FileDigests(tmp_path / "digests.json")
    memo.of(page, reading)
    # A second write within the file system's timestamp resolution could leave the stat as it
    # is, so the memo trusts a stat only once the file settled: its mtime says 60 s old, but its
    # change time (which utime just moved) is now, so it is hashed on each call until then.
    assert memo.of(page, reading) == sha(b"<p>5 mg</p>")
    assert len(reads) == 2, "ctime is recent: not remembered yet"


def test_stat_and_digest_are_remembered_across_runs_and_any_write_is_seen(tmp_path, monkeypatch):
    monkeypatch.setattr(FileDigests, "SETTLE_SECONDS", -1)  # trust every stat at once, to test the rest
    page = tmp_path / "page.html"
    page.write_bytes(b"<p>5 mg</p>")
    reads = []

    def reading(path):
        reads.append(path)
        return path.read_bytes()

    memo = FileDigests(tmp_path / "digests.json")
    assert memo.of(page, reading) == sha(b"<p>5 mg</p>")
    memo.save()
    again = FileDigests(tmp_path / "digests.json")
    assert again.of(page, reading) == sha(b"<p>5 mg</p>") and len(reads) == 1, "a second run reads nothing"

    before = page.stat()
    page.write_bytes(b"<p>9 mg</p>")  # same size; then the modification time put back by hand
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert again.of(page, reading) == sha(b"<p>9 mg</p>"), "the change time moved: read again"
    assert again.of(tmp_path / "missing.html", reading) == ""
    again.save()
    assert FileDigests(tmp_path / "digests.json").of(page, reading) == sha(b"<p>9 mg</p>") and len(reads) == 2


def test_the_memo_appends_what_a_run_learnt_and_is_written_whole_when_its_log_grows(tmp_path, monkeypatch):
    monkeypatch.setattr(FileDigests, "SETTLE_SECONDS", -1)
    monkeypatch.setattr(FileDigests, "LOG_LINES", 3)
    pages = [tmp_path / f"{number}.html" for number in range(12)]
    for number, page in enumerate(pages):
        page.write_bytes(f"<p>{number} mg</p>".encode())
    memo_path, log_path = tmp_path / "digests.json", tmp_path / "digests.log"
    memo = FileDigests(memo_path)
    for page in pages[:8]:
        memo.of(page)
    memo.save()
    assert memo_path.exists() and not log_path.exists(), "more than the log may hold: written whole"

    pages[0].unlink()
    memo = FileDigests(memo_path)
    memo.of(pages[8])
    memo.save()
    memo.of(pages[9])
    memo.save()
    assert len(log_path.read_bytes().splitlines()) == 2, "two files learnt: two lines appended, the memo kept"
    with open(log_path, "ab") as log:
        log.write(b'["cut short by a crash", 1, 2')

    reads = []

    def reading(path):
        reads.append(path.name)
        return path.read_bytes()

    memo = FileDigests(memo_path)
    assert [memo.of(page, reading) for page in pages[8:10]] == [sha(b"<p>8 mg</p>"), sha(b"<p>9 mg</p>")]
    assert reads == [], "the log's lines are remembered; the broken one is skipped"
    assert str(pages[0]) in memo._known, "a file that is gone is kept until the memo is written whole"
    for page in pages[10:]:
        memo.of(page, reading)
    memo.save()  # 3 lines in the log and 2 more: past its limit
    assert not log_path.exists()
    again = FileDigests(memo_path)
    assert str(pages[0]) not in again._known, "files that are gone are forgotten"
    assert all(again.of(page, reading) for page in pages[1:]) and reads == ["10.html", "11.html"]


def test_an_unreadable_memo_is_an_empty_one(tmp_path):
    (tmp_path / "digests.json").write_text("{not json", encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_bytes(b"x")
    assert FileDigests(tmp_path / "digests.json").of(page) == sha(b"x")


def test_the_pipeline_sees_an_edit_that_keeps_size_and_mtime(project, monkeypatch, capsys):
    monkeypatch.setattr(FileDigests, "SETTLE_SECONDS", -1)
    assert main(["--root", str(project), "all"]) == 0
    source = project / "source" / "000277.html"
    before = source.stat()
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("liver", "Liver", 1), encoding="utf-8")
    os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert source.stat().st_size == before.st_size
    main(["--root", str(project), "all"])
    assert "Liver" in (project / "build/clean/000277.html").read_text(encoding="utf-8")


def test_update_hashes_only_the_catalogs_its_cache_knows_and_still_sees_a_translators_edit(project, monkeypatch,
                                                                                          capsys):
    hashed = []
    of = FileDigests.of
    monkeypatch.setattr(FileDigests, "of", lambda self, path, *rest: hashed.append(Path(path).suffix) or
                        of(self, path, *rest))
    assert main(["--root", str(project), "update"]) == 0
    # Nothing to compare a catalog with on a first update: each is merged whatever it holds.
    assert ".pot" in hashed and ".po" not in hashed
    po = project / "locales/es/LC_MESSAGES/000277.po"
    po.write_text(po.read_text(encoding="utf-8").replace('msgid "Causes"\nmsgstr "Causas"',
                                                         '#, fuzzy\nmsgid "Causes"\nmsgstr "Causas"'), encoding="utf-8")
    hashed.clear()
    main(["--root", str(project), "update"])
    assert ".po" in hashed
    assert '#, fuzzy\nmsgid "Causes"' in po.read_text(encoding="utf-8"), "the edit is kept, and merged"


def test_a_catalog_checked_again_after_an_edit_gets_exactly_the_findings_of_a_first_check(project, capsys):
    assert main(["--root", str(project), "all"]) == 0
    po = project / "locales/es/LC_MESSAGES/000277.po"
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgstr "Fecha de revisión: 19/1/2018"', 'msgstr "Fecha de revisión: 19/1/2019"')
                  .replace('msgstr "Causas"', 'msgstr "Causas "'), encoding="utf-8")
    assert main(["--root", str(project), "check"]) == 1
    # The next check reuses what the last one said about the pairs the edit kept (see
    # remember_entry_messages); its report must be the one a check from scratch writes.
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgstr "Confusión"', 'msgstr "Confusión: 5 mg"'), encoding="utf-8")
    main(["--root", str(project), "check"])
    reused = (project / "build/reports/qa.json").read_bytes()
    (project / "build/cache/check.jsonl").unlink()
    main(["--root", str(project), "check"])
    assert (project / "build/reports/qa.json").read_bytes() == reused
    assert b"19/1/2019" in reused and "Confusión: 5 mg".encode() in reused


def test_a_stage_cache_cut_short_is_an_empty_one(project, capsys):
    assert main(["--root", str(project), "all"]) == 0
    report = (project / "build/reports/qa.json").read_bytes()
    cache = project / "build/cache/check.jsonl"
    cache.write_bytes(cache.read_bytes()[:-40])  # as a crash during the (unsynced) write could leave it
    (project / "build/reports/qa.json").unlink()
    assert main(["--root", str(project), "check"]) == 0
    assert (project / "build/reports/qa.json").read_bytes() == report


def test_the_locale_check_after_an_edit_reports_what_a_check_from_scratch_reports(project, tmp_path, monkeypatch,
                                                                                  capsys):
    shutil.copy(project / "source/000277.html", project / "source/000278.html")  # the same texts twice
    main(["--root", str(project), "all"])
    answers = []
    update = PairIndex.update

    def recorded_update(self, members, *args):
        answer = update(self, members, *args)
        if "es/000278" in members:
            answers.append(answer)
        return answer

    monkeypatch.setattr(PairIndex, "update", recorded_update)
    po = project / "locales/es/LC_MESSAGES/000278.po"
    edits = [('msgid "Causes"\nmsgstr ""', 'msgid "Causes"\nmsgstr "Motivos"'),  # 000277 says "Causas"
             ('msgid "Liver metastases"\nmsgstr ""', 'msgid "Liver metastases"\nmsgstr "Metástasis hepáticas"'),
             ('msgstr "Motivos"', 'msgstr "Causas"'),
             ('msgstr "Causas"', 'msgstr "Motivos"')]
    for number, (old, new) in enumerate(edits):
        if number == 3:  # the records kept per catalog are lost: read from the catalogs again
            shutil.rmtree(project / "build/cache/check-records")
        po.write_text(po.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        main(["--root", str(project), "check"])
        scratch = tmp_path / f"scratch-{number}"
        shutil.copytree(project, scratch, ignore=shutil.ignore_patterns("cache"))
        main(["--root", str(scratch), "check"])
        report = (project / "build/reports/qa.json").read_text(encoding="utf-8")
        assert report == (scratch / "build/reports/qa.json").read_text(encoding="utf-8")
        assert ("Motivos" in report) == (number != 2)
    assert answers[0] is None and answers[3] is None, "a new difference with an unchanged catalog: all are read"
    assert None not in answers[1:3], "the other edits read only some catalogs"


def test_item_packs_answer_only_for_their_salt_and_inputs_and_forget_items_that_are_gone(tmp_path):
    folder = tmp_path / "records"
    packs = ItemPacks(folder, "salt-1")
    packs.put("es/a", "inputs-a", [[1], ["Fever"], ["Fiebre"]])
    packs.put("ar/b", "inputs-b", [[], [], []])
    packs.put("es/c", "inputs-c", [[3], ["Pain"], ["Dolor"]])
    packs.save()
    assert len(list(folder.glob("*.pack"))) == 1, "one pack per process and run, not a file per item"
    again = ItemPacks(folder, "salt-1")  # a later run reads the index
    assert again.get("es/a", "inputs-a") == [[1], ["Fever"], ["Fiebre"]]
    assert again.get("es/a", "inputs-other") is None, "made from other inputs"
    assert again.get("es/missing", "inputs-a") is None
    assert ItemPacks(folder, "salt-2").get("es/a", "inputs-a") is None, "made by another version"
    pack = next(folder.glob("*.pack"))
    pack.write_bytes(pack.read_bytes()[:-3])  # the last payload (es/c) cut short, as by a crash
    cut = ItemPacks(folder, "salt-1")
    assert cut.get("es/c", "inputs-c") is None and cut.get("ar/b", "inputs-b") == [[], [], []]
    cut.keep_only({"ar/b", "es/c"})
    cut.save()
    assert sorted(p.name for p in folder.iterdir()) == sorted(["index.json", pack.name]), "ar/b still needs it"
    held = ItemPacks(tmp_path / "held", "salt-1", write=False)  # check mode: nothing written
    held.put("es/a", "inputs-a", [[1], ["Fever"], ["Fiebre"]])
    held.save()
    assert held.get("es/a", "inputs-a") == [[1], ["Fever"], ["Fiebre"]] and not (tmp_path / "held").exists()


_FORKED: dict[str, ItemPacks] = {}


def _put_in_worker(key: str, inputs: str, payload: list) -> list:
    return _FORKED["packs"].put(key, inputs, payload)


def test_item_packs_take_what_forked_workers_put_and_copy_a_mostly_superseded_pack(tmp_path):
    import multiprocessing

    folder = tmp_path / "records"
    packs = ItemPacks(folder, "salt-1")
    for number in range(10):
        packs.put(f"es/{number}", "old", [[number], ["Fever"], ["Fiebre"]])
    packs.save()
    first = {p.name for p in folder.glob("*.pack")}
    _FORKED["packs"] = packs  # the workers inherit it, as run_parallel's inherit WORKER
    with multiprocessing.get_context("fork").Pool(2) as pool:
        places = pool.starmap(_put_in_worker, [(f"es/{n}", "new", [[n], ["Fever"], ["Calentura"]]) for n in range(7)])
    assert len({place[0] for place in places} - first) in (1, 2), "each worker appends to a pack of its own"
    for number, place in enumerate(places):
        packs.adopt(f"es/{number}", place)
    packs.keep_only({f"es/{number}" for number in range(10)})
    packs.save()
    # Three of the first pack's ten payloads were still needed: copied, and that pack deleted.
    assert not first & {p.name for p in folder.iterdir()}
    later = ItemPacks(folder, "salt-1")
    assert [later.get(f"es/{n}", "new" if n < 7 else "old")[2][0] for n in range(10)] == \
        ["Calentura"] * 7 + ["Fiebre"] * 3


def test_generated_pages_are_synced_together_before_the_cache_that_records_them(project, monkeypatch, capsys):
    # The clean documents and pages a stage generates are written without a sync each, and the file
    # system is synced once before the stage's cache is written: a crash before that leaves the old
    # cache, which still has them to do. Catalogs and templates are written beside their place and
    # put there together (commit_writes: one sync, then the renames), before the stage's cache.
    from pipeline import files, workflow

    events = []
    real_atomic, real_cache, real_commit = files.write_atomic, workflow.Writer.write_cache, workflow.commit_writes

    def commit(pending):
        pending = list(pending)
        events.append(("commit", [Path(write.path).relative_to(project).as_posix() for write in pending], None))
        return real_commit(pending)

    def atomic(path, data, durable=True):
        events.append(("write", path.relative_to(project).as_posix(), durable))
        real_atomic(path, data, durable)

    def cache(self, path, lines):
        events.append(("cache", path.name, None))
        real_cache(self, path, lines)

    def sync(path):
        events.append(("sync", None, None))
        files.sync_filesystem(path)

    monkeypatch.setattr(files, "write_atomic", atomic)
    monkeypatch.setattr(workflow.Writer, "write_cache", cache)
    monkeypatch.setattr(workflow, "sync_filesystem", sync)
    monkeypatch.setattr(workflow, "commit_writes", commit)
    page = project / "source/000277.html"  # so that the template and the catalogs change too
    page.write_text(page.read_text(encoding="utf-8").replace("<p>Treatment depends on:</p>",
                                                             "<p>Treatment depends on these:</p>"), encoding="utf-8")
    assert main(["--root", str(project), "-j", "1", "all"]) == 1  # the changed paragraph is not translated yet
    capsys.readouterr()
    volatile = [name for kind, name, durable in events if kind == "write" and durable is False]
    assert "build/clean/000277.html" in volatile and "build/site/es/000277.html" in volatile
    assert all(name.startswith(("build/clean/", "build/site/")) and name.endswith((".html", ".json"))
               for name in volatile)
    committed = {name for kind, names, _ in events if kind == "commit" for name in names}
    assert "locales/es/LC_MESSAGES/000277.po" in committed and "locales/templates/000277.pot" in committed
    assert not any(name.startswith("locales/") for kind, name, _ in events if kind == "write")
    for stage, written in (("extract.jsonl", "locales/templates/000277.pot"),
                           ("update.jsonl", "locales/es/LC_MESSAGES/000277.po")):
        cache_at = next(i for i, event in enumerate(events) if event[:2] == ("cache", stage))
        assert any(kind == "commit" and written in names for kind, names, _ in events[:cache_at]), stage
    for stage, first_page in (("normalize.jsonl", "build/clean/"), ("build.jsonl", "build/site/")):
        cache_at = next(i for i, event in enumerate(events) if event[:2] == ("cache", stage))
        page_at = next(i for i, event in enumerate(events) if event[0] == "write" and event[1].startswith(first_page))
        assert any(event[0] == "sync" for event in events[page_at:cache_at]), stage


def test_a_check_from_scratch_reads_back_only_the_catalogs_holding_a_shared_text(project, monkeypatch, capsys):
    # Workers hash their catalogs' texts; the parent counts the keys and reads the records of the
    # catalogs that hold a text with two translations (or a translation with two sources) only.
    shutil.copy(project / "source/000277.html", project / "source/000278.html")
    main(["--root", str(project), "all"])
    po = project / "locales/es/LC_MESSAGES/000278.po"
    po.write_text(po.read_text(encoding="utf-8").replace('msgid "Causes"\nmsgstr ""', 'msgid "Causes"\nmsgstr "Motivos"'),
                  encoding="utf-8")
    shutil.rmtree(project / "build/cache")
    read = []
    get = ItemPacks.get
    monkeypatch.setattr(ItemPacks, "get", lambda self, key, inputs: read.append(key) or get(self, key, inputs))
    main(["--root", str(project), "check"])
    capsys.readouterr()
    # The two Spanish articles now translate "Causes" two ways; the Chinese site words translate
    # "Article" and "Articles" alike. No other catalog is read back.
    assert set(read) == {"es/000277", "es/000278", "zh_Hans/site"}
    report = json.loads((project / "build/reports/qa.json").read_text(encoding="utf-8"))
    assert sorted((f["file"], f["message"]) for f in report["findings"] if f["check"] == "inconsistent") == [
        ("locales/es/LC_MESSAGES/000277.po", "same source translated differently: also 'Motivos' "
                                             "(locales/es/LC_MESSAGES/000278.po:53)"),
        ("locales/es/LC_MESSAGES/000278.po", "same source translated differently: also 'Causas' "
                                             "(locales/es/LC_MESSAGES/000277.po:57)")]


def test_a_pair_index_comes_back_from_its_cached_payload_as_it_was_and_a_damaged_one_reads_as_none():
    counts = {(2**64 - 1, 5): 3, (2**64 - 1, 6): 1, (7, 8): 2}  # keys use all 64 bits; one source, two translations
    index = PairIndex(Counter(counts), {"es/a": "inputs-a", "es/b": "inputs-b"}, {"es/a"})
    stored = json.loads(json.dumps(index.payload()))  # as the stage cache keeps it
    again = PairIndex.from_payload(stored)
    assert again.counts == Counter(counts) and again.members == index.members and again.involved == {"es/a"}
    assert again.shared == index.shared == ({2**64 - 1}, set())
    damaged = [{**stored, "pairs": stored["pairs"][:-4]},  # cut short: a key without its pair
               {**stored, "counts": "not base64!"},
               {**stored, "pairs": [2**64 - 1, 5, 3]},  # the list of numbers an older version wrote
               {key: value for key, value in stored.items() if key != "shared"},
               None, []]
    for payload in damaged:
        assert PairIndex.from_payload(payload) is None, payload


def test_a_stage_cache_gives_back_its_stored_payloads_byte_for_byte_and_writes_them_back_unchanged(tmp_path):
    from pipeline.cache import StageCache, payload_json
    from pipeline.files import write_atomic

    path = tmp_path / "stage.jsonl"
    payloads = {"a": {"text": "métastases → 5 mg"}, "b": None, "c": {}, "d": ["\u2028", 1]}
    first = StageCache(path, "salt")
    for key, payload in payloads.items():
        first.put(key, f"in-{key}", payload)
    write_atomic(path, first.lines())
    stored = path.read_bytes()

    again = StageCache(path, "salt")
    for key, payload in payloads.items():
        assert again.fresh(key, f"in-{key}")
        assert bytes(again.payload_utf8(key)) == payload_json(payload).encode("utf-8")
        assert again.payload(key) == payload
    assert bytes(again.payload_utf8("missing")) == b"null" and not again.has_payload("b") and again.has_payload("c")
    assert again.unchanged()
    again.put("e", "in-e", {"new": True})  # one new item among views of the stored lines
    write_atomic(path, again.lines())
    third = StageCache(path, "salt")
    assert [third.payload(key) for key in "abcde"] == [*payloads.values(), {"new": True}]
    assert path.read_bytes().split(b"\n")[1:5] == stored.split(b"\n")[1:5]  # the stored lines, as they were
    assert StageCache(path, "other salt").payload("a") is None
