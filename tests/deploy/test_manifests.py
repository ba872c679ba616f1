"""The Helm chart deploy/helm/shishi, rendered offline (Helm's Go engine through helm-python-sdk)
for the province and the county profile, every object validated against the Kubernetes API
schemas (kubernetes-validate, strict: an unknown field fails) and checked for what running on a
cluster needs: probes, PodDisruptionBudgets, requests and limits, non-root with a read-only root
filesystem, autoscaling, replicas >= 2 in the province, the SHISHI_* settings.

The official NATS chart is vendored (deploy/helm/shishi/charts/nats): the NATS StatefulSet is
rendered too, validated, and its nats.conf checked by `nats-server -t`. CloudNativePG's CRD schemas
are vendored for the tests (tests/deploy/vendor/cloudnative-pg): the Cluster, Database and
ScheduledBackup objects are validated against their openAPIV3Schema. Either may be replaced for a
check against another version: SHISHI_NATS_CHART (an unpacked nats chart), SHISHI_CNPG_CRDS (a
directory of CRD files).
"""

from __future__ import annotations

import copy
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]


def _load_render():  # noqa: ANN202 - deploy/helm/render.py, a script beside the chart
    spec = importlib.util.spec_from_file_location("render", REPO / "deploy" / "helm" / "render.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


render = _load_render()

KUBE_VERSIONS = ("1.30.0", "1.37.0")  # the chart's kubeVersion floor, and the newest schemas here
SERVICES = ("intake", "decision", "supervision", "evaluation")
COMPONENTS = (*SERVICES, "gateway")
NATS_CHART = Path(os.environ["SHISHI_NATS_CHART"]) if os.environ.get("SHISHI_NATS_CHART") else None  # else vendored
CNPG_CRDS = Path(os.environ.get("SHISHI_CNPG_CRDS") or Path(__file__).parent / "vendor" / "cloudnative-pg")


@pytest.fixture(scope="module")
def nkeys_values(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Values for natsAuth.mode=nkeys with real public keys (deploy/nats/cluster/make-dev-nkeys.py)."""
    out = tmp_path_factory.mktemp("nkeys")
    subprocess.run(
        [sys.executable, str(REPO / "deploy/nats/cluster/make-dev-nkeys.py"), str(out), "--county", "440781"],
        check=True,
        capture_output=True,
    )
    public = dict(line.split("=", 1) for line in (out / "nkeys.env").read_text().splitlines())
    keys = {
        u: public[f"{u.upper()}_NATS_NKEY"]
        for u in ("intake", "decision", "supervision", "evaluation", "hotline", "gateway", "auditor", "admin", "sys")
    }
    return {
        "natsAuth": {
            "mode": "nkeys",
            "publicKeys": keys,
            "counties": [{"code": "440781", "publicKey": public["LEAF_440781_NATS_NKEY"]}],
        }
    }


def _render(profile: str, extra: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    return render.documents(render.render(profile, extra, nats_chart=NATS_CHART))


@pytest.fixture(scope="module")
def province() -> list[dict[str, Any]]:
    return _render("province")


@pytest.fixture(scope="module")
def county() -> list[dict[str, Any]]:
    return _render("county")


def _of(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


# --- schemas ---------------------------------------------------------------------------------


def _strict(schema: Any) -> Any:
    """A CRD schema that, like kubernetes-validate's strict mode, refuses unknown fields."""
    if isinstance(schema, dict):
        schema = {k: _strict(v) for k, v in schema.items()}
        if "properties" in schema and not schema.get("x-kubernetes-preserve-unknown-fields"):
            schema.setdefault("additionalProperties", False)
        return schema
    if isinstance(schema, list):
        return [_strict(s) for s in schema]
    return schema


def _crd_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    schemas = {}
    for f in sorted(CNPG_CRDS.glob("*.yaml")):
        crd = yaml.safe_load(f.read_text())
        for v in crd["spec"]["versions"]:
            key = (f"{crd['spec']['group']}/{v['name']}", crd["spec"]["names"]["kind"])
            schemas[key] = _strict(v["schema"]["openAPIV3Schema"])
    return schemas


@pytest.mark.parametrize("profile", ["province", "county"])
def test_every_manifest_validates(profile: str, province, county) -> None:
    import jsonschema

    docs = province if profile == "province" else county
    crds = _crd_schemas()
    checked_crd = 0
    for doc in docs:
        if doc["apiVersion"].startswith("postgresql.cnpg.io/"):
            validator = jsonschema.Draft7Validator(crds[(doc["apiVersion"], doc["kind"])])
            errors = [e.message for e in validator.iter_errors(doc)]
            assert not errors, (doc["kind"], doc["metadata"]["name"], errors)
            checked_crd += 1
            continue
        for version in KUBE_VERSIONS:
            kubernetes_validate.validate(doc, version, strict=True)
    assert checked_crd >= 4 if profile == "province" else checked_crd >= 1


def test_strict_validation_catches_a_typo(province) -> None:
    doc = copy.deepcopy(_of(province, "Deployment")["shishi-intake"])
    doc["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(doc, KUBE_VERSIONS[0], strict=True)


def test_helm_lint_passes() -> None:
    import helm_python as helm

    helm.disable_logging()
    report = helm.lint(str(render.CHART), render.profile_values("province"), kube_version="v1.30.0")
    errors = [m for m in report["messages"] if m["severity"] >= 3] + report.get("errors", [])
    assert not errors, report


# --- what a cluster needs --------------------------------------------------------------------


def _container(deployment: dict[str, Any]) -> dict[str, Any]:
    return deployment["spec"]["template"]["spec"]["containers"][0]


@pytest.mark.parametrize("profile", ["province", "county"])
def test_deployments_probes_resources_security(profile: str, province, county) -> None:
    docs = province if profile == "province" else county
    deployments = _of(docs, "Deployment")
    assert set(deployments) == {f"shishi-{c}" for c in COMPONENTS}
    for name in COMPONENTS:
        d = deployments[f"shishi-{name}"]
        pod = d["spec"]["template"]["spec"]
        c = _container(d)
        prefix = "" if name == "gateway" else f"/{name}"
        assert c["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]
        assert c["livenessProbe"]["httpGet"] == {"path": f"{prefix}/livez", "port": "http"}
        assert c["readinessProbe"]["httpGet"] == {"path": f"{prefix}/readyz", "port": "http"}
        assert c["startupProbe"]["httpGet"]["path"] == f"{prefix}/livez"
        for kind in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(c["resources"][kind]), (name, kind)
        assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
        for ctr in (*pod["containers"], *pod.get("initContainers", [])):
            sc = ctr["securityContext"]
            assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False
            assert sc["capabilities"]["drop"] == ["ALL"]
        mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
        volumes = {v["name"]: v for v in pod["volumes"]}
        assert "emptyDir" in volumes[mounts["/tmp"]]
        assert "emptyDir" in volumes[mounts["/var/lib/shishi"]]  # SHISHI_DATA_DIR writable
        assert d["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
        assert c["args"][0] == name


def _effective_replicas(docs: list[dict[str, Any]], name: str) -> int:
    hpa = _of(docs, "HorizontalPodAutoscaler").get(name)
    return hpa["spec"]["minReplicas"] if hpa else _of(docs, "Deployment")[name]["spec"]["replicas"]


def test_province_is_highly_available(province) -> None:
    hpas = _of(province, "HorizontalPodAutoscaler")
    pdbs = _of(province, "PodDisruptionBudget")
    for name in COMPONENTS:
        full = f"shishi-{name}"
        assert _effective_replicas(province, full) >= 2, name
        hpa = hpas[full]
        assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": full}
        assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"] >= 2
        pdb = pdbs[full]
        selector = _of(province, "Deployment")[full]["spec"]["selector"]["matchLabels"]
        assert pdb["spec"]["selector"]["matchLabels"] == selector
        assert pdb["spec"]["minAvailable"] == 1
    cluster = _of(province, "Cluster")["shishi-pg"]
    assert cluster["apiVersion"] == "postgresql.cnpg.io/v1" and cluster["spec"]["instances"] == 3


def test_county_runs_one_of_each_and_can_be_drained(county) -> None:
    assert not _of(county, "HorizontalPodAutoscaler")
    for name in COMPONENTS:
        assert _of(county, "Deployment")[f"shishi-{name}"]["spec"]["replicas"] == 1
        pdb = _of(county, "PodDisruptionBudget")[f"shishi-{name}"]["spec"]
        assert pdb == {**pdb, "maxUnavailable": 1} and "minAvailable" not in pdb


def test_services_and_settings(province) -> None:
    services = _of(province, "Service")
    for name in COMPONENTS:
        assert services[f"shishi-{name}"]["spec"]["selector"]["app.kubernetes.io/name"] == name
    config = _of(province, "ConfigMap")["shishi-config"]["data"]
    assert config["SHISHI_MODE"] == "production" and config["SHISHI_PERSISTENCE"] == "postgres"
    assert config["SHISHI_NATS_URL"] == "tls://shishi-nats:4222"
    assert config["SHISHI_NATS_REPLICAS"] == "3"
    assert config["SHISHI_POSTGRES_HOST"] == "shishi-pg-rw" and config["SHISHI_POSTGRES_PORT"] == "5432"
    deployments = _of(province, "Deployment")
    for name in SERVICES:
        env = {e["name"]: e for e in _container(deployments[f"shishi-{name}"])["env"]}
        assert env["SHISHI_POSTGRES_DBNAME"]["value"] == f"shishi_{name}"
        assert env["SHISHI_POSTGRES_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
            "name": f"shishi-pg-{name}",
            "key": "password",
        }
        assert env["SHISHI_NATS_USER"]["value"] == name
        assert env["SHISHI_NATS_PASSWORD"]["valueFrom"]["secretKeyRef"]["key"] == f"{name.upper()}_NATS_PASSWORD"
        assert env["SHISHI_JWT_SECRET"]["valueFrom"]["secretKeyRef"]["key"] == "SHISHI_JWT_SECRET"
        # the audit signing key from its Secret, read-only, never on the pod's writable disk
        assert env["SHISHI_AUDIT_KEY_FILE"]["value"] == f"/etc/shishi/audit/{name}-ed25519.key"
        mounts = {m["mountPath"]: m for m in _container(deployments[f"shishi-{name}"])["volumeMounts"]}
        assert mounts["/etc/shishi/audit"]["readOnly"] is True
        assert mounts["/etc/shishi/nats-ca"]["readOnly"] is True
    assert config["SHISHI_NATS_TLS_CA_FILE"] == "/etc/shishi/nats-ca/ca.crt"
    gateway_env = {e["name"]: e for e in _container(deployments["shishi-gateway"])["env"]}
    assert "SHISHI_UPSTREAMS" in gateway_env and "SHISHI_POSTGRES_PASSWORD" not in gateway_env
    # no secret value anywhere in the rendered objects
    assert not _of(province, "Secret")


def test_audit_keys_may_live_in_the_database() -> None:
    docs = _render("province", {"auditKeys": {"fromSecret": False}})
    for name in SERVICES:
        d = _of(docs, "Deployment")[f"shishi-{name}"]
        assert "SHISHI_AUDIT_KEY_FILE" not in {e["name"] for e in _container(d)["env"]}
        assert "audit-key" not in {v["name"] for v in d["spec"]["template"]["spec"]["volumes"]}


def test_jwks_mode_mounts_no_jwt_secret() -> None:
    docs = _render("province", {"jwt": {"jwksUrl": "https://idp.province.example/jwks.json"}})
    assert _of(docs, "ConfigMap")["shishi-config"]["data"]["SHISHI_JWT_JWKS_URL"].startswith("https://")
    for d in _of(docs, "Deployment").values():
        assert "SHISHI_JWT_SECRET" not in {e["name"] for e in _container(d)["env"]}


def test_postgres_databases_as_init_sql(province) -> None:
    cluster = _of(province, "Cluster")["shishi-pg"]["spec"]
    assert cluster["bootstrap"]["initdb"]["database"] == "shishi_intake"
    assert cluster["bootstrap"]["initdb"]["owner"] == "intake"
    roles = {r["name"]: r for r in cluster["managed"]["roles"]}
    assert set(roles) == {"decision", "supervision", "evaluation"}
    databases = {d["spec"]["name"]: d["spec"] for d in _of(province, "Database").values()}
    assert set(databases) == {"shishi_decision", "shishi_supervision", "shishi_evaluation"}
    for name, spec in databases.items():
        assert spec["owner"] == name.removeprefix("shishi_") and spec["cluster"] == {"name": "shishi-pg"}
        assert spec["databaseReclaimPolicy"] == "retain"
    assert cluster["postgresql"]["synchronous"]["number"] >= 1  # quorum commit
    assert _of(province, "ScheduledBackup")


def test_external_postgres_instead_of_cnpg() -> None:
    docs = _render(
        "province",
        {"postgresql": {"cnpg": {"enabled": False}, "external": {"host": "pg.province.example", "port": 6432}}},
    )
    assert not _of(docs, "Cluster") and not _of(docs, "Database")
    data = _of(docs, "ConfigMap")["shishi-config"]["data"]
    assert data["SHISHI_POSTGRES_HOST"] == "pg.province.example" and data["SHISHI_POSTGRES_PORT"] == "6432"


# --- NATS: the accounts the cluster pods include ---------------------------------------------


def _nats_auth(docs: list[dict[str, Any]]) -> dict[str, str]:
    return _of(docs, "ConfigMap")["shishi-nats-auth"]["data"]


def test_nats_permissions_are_the_deploy_files(province) -> None:
    data = _nats_auth(province)
    assert data["permissions.conf"].rstrip("\n") == (REPO / "deploy/nats/cluster/permissions.conf").read_text().rstrip(
        "\n"
    )
    accounts = data["accounts.conf"]
    for user, perm in (("intake", "INTAKE"), ("gateway", "READER"), ("auditor", "READER"), ("hotline", "HOTLINE")):
        assert re.search(
            rf"user: {user}, password: \${user.upper()}_NATS_PASSWORD, permissions: \${perm}_PERMISSIONS", accounts
        )
    assert '"$JS.county-440781.API.>"' in accounts and "system_account: SYS" in accounts


def test_nats_nkeys_mode(nkeys_values: dict[str, Any]) -> None:
    docs = _render("province", nkeys_values)
    accounts = _nats_auth(docs)["accounts.conf"]
    assert "password" not in accounts and accounts.count('nkey: "U') == 10
    env = {e["name"] for e in _container(_of(docs, "Deployment")["shishi-intake"])["env"]}
    assert "SHISHI_NATS_NKEY_SEED" in env and "SHISHI_NATS_PASSWORD" not in env


def _nats_server_binary() -> str:
    from shared.bus.server import NatsServer

    try:
        return NatsServer.binary()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))


@pytest.mark.parametrize("mode", ["passwords", "nkeys"])
def test_rendered_nats_config_is_valid_for_nats_server(
    mode: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The official chart's nats.conf + our accounts, as the pods see /etc/nats-config: -t."""
    binary = _nats_server_binary()
    docs = _render("province", request.getfixturevalue("nkeys_values") if mode == "nkeys" else None)
    statefulset = _of(docs, "StatefulSet")["shishi-nats"]
    pod = statefulset["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: m["name"] for m in pod["containers"][0]["volumeMounts"]}
    assert volumes[mounts["/etc/nats-config/shishi"]]["configMap"]["name"] == "shishi-nats-auth"
    assert statefulset["spec"]["replicas"] == 3
    # lay out /etc/nats-config as the pod has it, with dev certificates in place of the Secret
    certs = tmp_path / "certs"
    subprocess.run(
        [sys.executable, str(REPO / "deploy/nats/cluster/make-dev-certs.py"), str(certs)],
        check=True,
        capture_output=True,
    )
    conf_dir = tmp_path / "nats-config"
    (conf_dir / "shishi").mkdir(parents=True)
    for name, text in _nats_auth(docs).items():
        (conf_dir / "shishi" / name).write_text(text)
    nats_conf = _of(docs, "ConfigMap")["shishi-nats-config"]["data"]["nats.conf"]
    nats_conf = re.sub(r'"/etc/nats-certs/\w+/tls.crt"', f'"{certs}/nats-1.pem"', nats_conf)
    nats_conf = re.sub(r'"/etc/nats-certs/\w+/tls.key"', f'"{certs}/nats-1-key.pem"', nats_conf)
    nats_conf = nats_conf.replace('"/etc/nats-ca-cert/ca.crt"', f'"{certs}/ca.pem"')
    nats_conf = nats_conf.replace('"/data"', f'"{tmp_path / "data"}"')
    (conf_dir / "nats.conf").write_text(nats_conf)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "SERVER_NAME": "shishi-nats-0",
        **{
            f"{u}_NATS_PASSWORD": "pw"
            for u in (
                "INTAKE",
                "DECISION",
                "SUPERVISION",
                "EVALUATION",
                "HOTLINE",
                "GATEWAY",
                "AUDITOR",
                "ADMIN",
                "SYS",
                "LEAF_440781",
            )
        },
    }
    result = subprocess.run(
        [binary, "-c", str(conf_dir / "nats.conf"), "-t"],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_cnpg_objects_structurally(province) -> None:
    """Beyond the CRD schemas: the fields the operator requires and the chart's own choices."""
    for doc in province:
        if doc["apiVersion"] != "postgresql.cnpg.io/v1":
            continue
        assert doc["metadata"]["namespace"] == "shishi"
        spec = doc["spec"]
        if doc["kind"] == "Cluster":
            assert isinstance(spec["instances"], int) and spec["storage"]["size"]
            assert re.fullmatch(r"\d+(Gi|Ti)", spec["storage"]["size"])
        elif doc["kind"] == "Database":
            assert {"cluster", "name", "owner"} <= set(spec)
        elif doc["kind"] == "ScheduledBackup":
            assert {"cluster", "schedule"} <= set(spec) and len(spec["schedule"].split()) == 6
        else:
            pytest.fail(f"unexpected CNPG kind {doc['kind']}")
