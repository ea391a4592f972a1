"""CI/CD Pipeline: GitHub Actions build, test, scan and deploy; the deployment process."""

import pytest

from pytest_readiness.lazy import probes

deployment, docs, git_repo, github_api, workflows, zizmor = probes(
    "kubernetes.deployment", "repo.docs", "repo.git_repo", "repo.github_api", "repo.workflows", "repo.zizmor"
)


@pytest.mark.checklist("CICD-ACTIONS-BUILD")
def test_build_pipeline(workflow_facts, evidence):
    evidence.check(workflows.assess_build(workflow_facts))


@pytest.mark.checklist("CICD-ACTIONS-TEST")
def test_test_pipeline(workflow_facts, evidence):
    evidence.add(workflows.assess_job_timeouts(workflow_facts))  # informational
    evidence.check(workflows.assess_tests(workflow_facts))


@pytest.mark.checklist("CICD-ACTIONS-TEST", "CICD-ACTIONS-BUILD")
def test_release_runs_succeeded(github_release_runs, evidence):
    sha, runs = github_release_runs
    evidence.check(github_api.assess_runs(runs, sha))


@pytest.mark.checklist("CICD-ACTIONS-SECURITY-SCAN")
def test_security_scanning(workflow_facts, evidence):
    evidence.check(workflows.assess_security_scan(workflow_facts))


@pytest.mark.checklist("CICD-ACTIONS-SECURITY-SCAN")
def test_workflow_hardening(zizmor_report, workflow_facts, evidence):
    evidence.check(zizmor.assess(zizmor_report, workflow_facts, zizmor.ITEM_HARDENING))


@pytest.mark.checklist("CICD-ACTIONS-DEPLOY")
def test_deploy_gated_on_tests(workflow_facts, evidence):
    evidence.check(workflows.assess_deploy(workflow_facts))


@pytest.mark.checklist("CICD-ACTIONS-DEPLOY")
def test_deploy_workflow_hardening(zizmor_report, workflow_facts, evidence):
    evidence.check(zizmor.assess(zizmor_report, workflow_facts, zizmor.ITEM_DEPLOY))


@pytest.mark.checklist("CICD-DEPLOY-BLUE-GREEN")
def test_blue_green(k8s_inventory, evidence):
    inv = k8s_inventory
    evidence.check(
        deployment.assess_blue_green(
            inv.objects("Rollout"), inv.objects("Deployment"), inv.objects("Service")
        )
    )


@pytest.mark.checklist("CICD-DEPLOY-NOTIFICATIONS")
def test_deploy_notifications(workflow_facts, evidence):
    evidence.check(workflows.assess_notifications(workflow_facts))


@pytest.mark.checklist("CICD-DEPLOY-DOCS")
def test_deploy_docs_updated(app_repo, doc_locations, readiness_env, evidence):
    globs, keys = docs.locations("deploy_guide", doc_locations)
    guide = [h.path.split("#")[0] for h in docs.find_docs(app_repo, globs, keys)]
    config = readiness_env.get("repo", "deploy_paths") or list(docs.DEPLOY_CONFIG_PATHS)
    evidence.check(
        docs.assess_docs_fresh(
            guide,
            docs.git_last_change(app_repo, guide) if guide else None,
            config,
            docs.git_last_change(app_repo, config),
        )
    )


@pytest.mark.checklist("DEPLOY-PRE-TAG-RELEASE")
def test_release_tagged(app_repo, release_tag, readiness_env, evidence):
    source = "[repo] release_tag" if readiness_env.get("repo", "release_tag") else "newest tag of HEAD"
    evidence.check(
        git_repo.assess_tag(git_repo.tag_facts(app_repo, release_tag, readiness_env.timeout, source))
    )
