"""The demo corpus generator and the bundled demo corpus."""

import filecmp
from pathlib import Path

from search_service.corpus.demo import write_demo_corpus
from search_service.corpus.folder import read_corpus
from search_service.corpus.regions import region_for

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "corpus" / "demo"


def test_generator_is_deterministic(tmp_path):
    write_demo_corpus(tmp_path / "a", 12, seed=5)
    write_demo_corpus(tmp_path / "b", 12, seed=5)
    match, mismatch, errors = filecmp.cmpfiles(
        tmp_path / "a",
        tmp_path / "b",
        sorted(p.name for p in (tmp_path / "a").iterdir()),
        shallow=False,
    )
    assert len(match) == 13 and not mismatch and not errors


def test_bundled_demo_corpus_is_what_the_generator_writes(tmp_path):
    # corpus/demo is regenerated with: python -m search_service demo corpus/demo --reviews 60
    write_demo_corpus(tmp_path, 60)
    names = sorted(p.name for p in DEMO.glob("*.txt"))
    assert names == sorted(p.name for p in tmp_path.iterdir())
    _, mismatch, errors = filecmp.cmpfiles(DEMO, tmp_path, names, shallow=False)
    assert not mismatch and not errors


def test_synthetic_reviews_say_so_and_use_real_csps(tmp_path):
    write_demo_corpus(tmp_path, 10, seed=3)
    report = read_corpus(tmp_path)
    assert not report.skipped
    synthetic = [r for r in report.reviews if r.id != "bolton-2023"]
    assert len(synthetic) == 10
    assert all(r.synthetic and "(synthetic)" in r.title for r in synthetic)
    assert not next(r for r in report.reviews if r.id == "bolton-2023").synthetic
    assert all(r.recommendations and r.summary for r in synthetic)
    assert all(r.csp != "Bolton" for r in synthetic)
    assert all(r.region == region_for(r.csp) != "Unknown" for r in synthetic)
    assert all(rec.sectors for r in synthetic for rec in r.recommendations)


def test_bundled_demo_reports_index_with_pages_and_links(tmp_path):
    # The PDFs are drawn by scripts/make_demo_corpus from the pages' own recommendations.
    report = read_corpus(DEMO, pdf_cache=tmp_path)
    assert not report.skipped
    with_pdf = [r for r in report.reviews if r.pdf_path]
    assert len(with_pdf) == 7
    for review in with_pdf:
        assert review.synthetic and review.passages
        assert all(rec.page for rec in review.recommendations), review.id
    only_pdf = next(r for r in report.reviews if r.id == "synthetic-report-only-2024")
    assert only_pdf.csp == "Wigan" and len(only_pdf.recommendations) == 6
