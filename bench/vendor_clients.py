"""Run the vendors' own client programs, unchanged, against a running custreg.

Fivaldi. Not the vendors' code (it stays out of this repository): point it at a checkout of
Visma-Fivaldi/api-examples-javascript (`--fivaldi-js DIR`: scripts/get_example.js,
post_example.js, utils.js; its `body.json`, which that repository leaves out, is the Python
example's, `--body`). The examples call `https://api.fivaldi.net` with a fixed company
`1234`; a preload (`node -r`) sends their `https.request` to custreg's `/compat/fivaldi`
over http, nothing else changes. The script makes the company `1234` and an API client
(its clientId and secret are the examples' PARTNER_ID and PARTNER_SECRET) with the admin
token, runs both examples and prints their status lines and the created customer's fields.

Billmate. `--billmate-php DIR`, a checkout of Billmate/qvickly-php-module: its PortalAPI
(Guzzle 7 from Debian's php-guzzlehttp-guzzle, `apt-get install php-cli
php-guzzlehttp-guzzle`) with only its BASE_URL override set to custreg's
`/compat/billmate/` and a bearer token of a custreg client; `billmate_portal_client.php`
makes the calls (create, phrase search, bracketed and inline filters, count, one, PATCH,
searchByOrgNumber, export, a 404, bulk DELETE) and this script checks the answers.

    custreg serve &    # CUSTREG_ADMIN_TOKEN=... CUSTREG_PORT=8000
    .venv/bin/python bench/vendor_clients.py --base http://127.0.0.1:8000 --admin-token ... \\
        --fivaldi-js ../api-examples-javascript --body ../api-examples-python/scripts/body.json \\
        --billmate-php ../qvickly-php-module
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

PRELOAD = """// Routes https://api.fivaldi.net to custreg (http, its /compat/fivaldi mount).
const https = require('https'); const http = require('http');
const base = new URL(process.env.CUSTREG_BASE);
https.request = (options, cb) => http.request(Object.assign({}, options,
  {hostname: base.hostname, port: base.port, path: '/compat/fivaldi' + options.path}), cb);
"""
CUID = "1234"  # the examples' company


def partner(base: str, admin_token: str) -> dict:
    admin = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {admin_token}"}, timeout=60)
    r = admin.post("/v1/companies", json={"cuid": CUID, "name": "Fivaldi examples", "countryCode": "FI"})
    if r.status_code not in (201, 409):
        sys.exit(f"company {CUID}: {r.status_code} {r.text}")
    # The examples create the same business id on every run: allowed in this company.
    settings = {"uniqueIdentityNumbers": False}
    admin.patch(f"/v1/companies/{CUID}/basic-details/settings", json=settings).raise_for_status()
    scopes = ["customers:read", "customers:write"]
    r = admin.post("/v1/clients", json={"name": "Fivaldi examples", "companies": [CUID], "scopes": scopes})
    r.raise_for_status()
    return r.json()


def run_fivaldi_js(base: str, client: dict, examples: Path, body: Path) -> int:
    work = Path(tempfile.mkdtemp())
    shutil.copytree(examples / "scripts", work / "scripts")
    if not (work / "scripts" / "body.json").exists():
        shutil.copy(body, work / "scripts" / "body.json")
    (work / "preload.js").write_text(PRELOAD)
    env = os.environ | {
        "CUSTREG_BASE": base,
        "PARTNER_ID": client["clientId"],
        "PARTNER_SECRET": client["clientSecret"],
    }
    failed = 0
    for script in ("get_example.js", "post_example.js"):
        out = subprocess.run(
            ["node", "-r", str(work / "preload.js"), script],
            cwd=work / "scripts",
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        status, _, answer = out.stdout.partition("\n")
        print(f"{script}: {status.strip()} {out.stderr.strip()}")
        if status.strip() != "Status Code: 200":
            failed += 1
            print("  answer:", answer[:300])
        elif script == "post_example.js":
            created = json.loads(answer)
            shown = ("customerId", "customerName", "businessId", "changeUser")
            print("  created:", {k: created[k] for k in shown})
            print("  address:", created["customerEntityAddressDTOS"][0])
    shutil.rmtree(work)
    return failed


def run_billmate_php(base: str, admin_token: str, module: Path) -> int:
    admin = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {admin_token}"}, timeout=60)
    cuid = f"billmate-{os.getpid()}"
    admin.post("/v1/companies", json={"cuid": cuid, "name": "Billmate client", "countryCode": "SE"}).raise_for_status()
    scopes = ["customers:read", "customers:write", "customers:delete"]
    r = admin.post("/v1/clients", json={"name": "Billmate client", "companies": [cuid], "scopes": scopes})
    c = r.raise_for_status().json()
    form = {"grant_type": "client_credentials", "client_id": c["clientId"], "client_secret": c["clientSecret"]}
    token = httpx.post(f"{base}/oauth/token", data=form, timeout=60).raise_for_status().json()["access_token"]
    driver = Path(__file__).with_name("billmate_portal_client.php")
    env = os.environ | {"BASE_URL": f"{base}/compat/billmate/", "TOKEN": token}
    out = subprocess.run(["php", str(driver), str(module)], env=env, capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        print("billmate php:", out.stdout[-500:], out.stderr[-500:])
        return 1
    got = json.loads(out.stdout)
    ids = [got[k]["mexcParamvaluesetsid"] for k in ("createPerson", "createCompany", "createUnknown")]
    checks = {
        "create answers the Customer": all(isinstance(i, int) for i in ids),
        "search=Nisse Hult is the phrase": [x["mexcParamvaluesetsid"] for x in got["searchPhrase"]] == ids[:1],
        "search=Nisse&search=Hult both words": [x["mexcParamvaluesetsid"] for x in got["searchWords"]]
        == [ids[0], ids[2]],
        "inline filter with literal commas": [x["mexcParamvaluesetsid"] for x in got["inline"]] == ids[1:2],
        "isUnknown counts the one without a type": got["countUnknown"] == {"count": 1},
        "isCustomerType private or company": got["countPrivateOrCompany"] == {"count": 2},
        "PATCH answers the change": got["patch"]["email"] == "nisse@example.se",
        "searchByOrgNumber finds the company": got["byOrgNumber"]["company"] == "Bolaget AB",
        "export is not JSON (null to the client)": got["exportCsv"] is None,
        "404 reaches the caller as code 404": got["missing"]["code"] == 404,
        "DELETE with the id array": got["deleteMany"] == {"result": "Removed", "count": 3},
        "count after": got["countAfter"] == {"count": 0},
    }
    for name, ok in checks.items():
        print(f"billmate php: {'ok  ' if ok else 'FAIL'} {name}")
    return sum(not ok for ok in checks.values())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base", required=True, help="custreg's URL, e.g. http://127.0.0.1:8000")
    p.add_argument("--admin-token", required=True)
    p.add_argument("--fivaldi-js", type=Path, help="a checkout of api-examples-javascript")
    p.add_argument("--body", type=Path, help="the create body (the Python example's body.json)")
    p.add_argument("--billmate-php", type=Path, help="a checkout of qvickly-php-module")
    a = p.parse_args()
    base, failed = a.base.rstrip("/"), 0
    if a.fivaldi_js:
        failed += run_fivaldi_js(base, partner(base, a.admin_token), a.fivaldi_js, a.body)
    if a.billmate_php:
        failed += run_billmate_php(base, a.admin_token, a.billmate_php)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
