"""`pharos import FILE --target ... --tenant ...`: the suggestions map a clean file and its rows are
imported; a file with problems imports nothing (exit 1, the problems printed) unless
--valid-rows-only; a saved preset maps by name with --map."""

from __future__ import annotations

from app.cli.main import main
from tests.integration.imports.conftest import HEADER, TARGET
from tests.support.effects import rows


def write(tmp_path, name: str, body: str):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return str(path)


def test_import_a_clean_file(clients, tmp_path, capsys):
    tenant = clients["tenant"]
    ctx = tenant.ctx()
    before = rows(ctx, "import_sample_rows")
    path = write(
        tmp_path, "sales.csv", HEADER + "D-1,SKU-9,3.50,2,2024-03-04,EUR\r\nCity Medicos,SKU-8,1,1,2024-03-05,\r\n"
    )
    assert main(["import", path, "--target", TARGET, "--tenant", tenant.slug]) == 0
    out = capsys.readouterr().out
    assert "imported: 2 inserted, 0 updated, 0 skipped" in out
    assert rows(ctx, "import_sample_rows") == before + 2


def test_problems_import_nothing_unless_valid_rows_only(clients, tmp_path, capsys):
    tenant = clients["tenant"]
    ctx = tenant.ctx()
    before = rows(ctx, "import_sample_rows")
    body = HEADER + 'D-1,SKU-9,"3,50",2,2024-03-04,EUR\r\nD-1,SKU-7,2.00,1,2024-03-05,EUR\r\n'
    path = write(tmp_path, "bad.csv", body)
    assert main(["import", path, "--target", TARGET, "--tenant", tenant.slug]) == 1
    err = capsys.readouterr().err
    assert "line 2, Net price: 3,50 uses a comma as decimal separator — write 3.50" in err
    assert "nothing imported: fix the file, or pass --valid-rows-only" in err
    assert rows(ctx, "import_sample_rows") == before
    assert main(["import", path, "--target", TARGET, "--tenant", tenant.slug, "--valid-rows-only"]) == 0
    assert "imported: 1 inserted, 0 updated, 1 skipped" in capsys.readouterr().out
    assert rows(ctx, "import_sample_rows") == before + 1


def test_an_unknown_preset_or_tenant_is_a_clear_error(clients, tmp_path, capsys):
    tenant = clients["tenant"]
    path = write(tmp_path, "sales.csv", HEADER + "D-1,SKU-9,3.50,2,2024-03-04,EUR\r\n")
    assert main(["import", path, "--target", TARGET, "--tenant", tenant.slug, "--map", "nope"]) == 2
    assert "no preset 'nope' for tests.sales" in capsys.readouterr().err
    assert main(["import", path, "--target", TARGET, "--tenant", "no-such-tenant"]) == 2
    assert "no tenant with slug 'no-such-tenant'" in capsys.readouterr().err
