#!/usr/bin/env python3
"""KICS conformance for drydock's Dockerfile rules.

Runs `drydock lint -f json` over every positive and negative test file of the KICS Dockerfile
queries (../shared/conformance/kics/dockerfile, see its README) and prints, per query, the DD
rule that covers it, the expected findings found at the right file and line, and the warning or
error findings of that rule on the negative files (false positives).

Fails (exit 1) when fewer than 95% of the expected findings are found, or when any negative file
gets a W/E finding of its query's rule. Exit 77 (skipped) when the KICS data is absent.

usage: kics_conformance.py DRYDOCK [KICS_DIR] [--markdown]
"""
import json
import os
import subprocess
import sys

# KICS query folder -> the DD rule(s) covering it (the K column of LINT-RULES.md).
MAPPING = {
    "add_instead_of_copy": ["DD-BLD-008"],
    "apk_add_using_local_cache_path": ["DD-LYR-003"],
    "apt_get_install_lists_were_not_deleted": ["DD-LYR-001"],
    "apt_get_install_pin_version_not_defined": ["DD-PKG-001"],
    "apt_get_missing_flags_to_avoid_manual_input": ["DD-PKG-005"],
    "apt_get_not_avoiding_additional_packages": ["DD-LYR-002"],
    "changing_default_shell_using_run_command": ["DD-BLD-022"],
    "chown_flag_exists": ["DD-BLD-030"],
    "copy_from_references_current_from_alias": ["DD-BLD-003"],
    "copy_with_more_than_two_arguments_not_ending_with_slash": ["DD-BLD-007"],
    "curl_or_wget_instead_of_add": ["DD-BLD-009"],
    "exposing_port_22": ["DD-IMG-001"],
    "gem_install_without_version": ["DD-PKG-003"],
    "healthcheck_instruction_missing": ["DD-IMG-002"],
    "image_version_not_explicit": ["DD-BI-001"],
    "image_version_using_latest": ["DD-BI-002"],
    "last_user_is_root": ["DD-USR-002"],
    "maintainer_instruction_being_used": ["DD-BLD-025"],
    "missing_dnf_clean_all": ["DD-LYR-005"],
    "missing_flag_from_dnf_install": ["DD-PKG-005"],
    "missing_user_instruction": ["DD-USR-001"],
    "missing_version_specification_in_dnf_install": ["DD-PKG-004"],
    "missing_zypper_clean": ["DD-LYR-005"],
    "missing_zypper_non_interactive_switch": ["DD-PKG-005"],
    "multiple_cmd_instructions_listed": ["DD-BLD-021"],
    "multiple_entrypoint_instructions_listed": ["DD-BLD-021"],
    "multiple_run_add_copy_instructions_listed": ["DD-LYR-007"],
    "not_using_json_in_cmd_and_entrypoint_arguments": ["DD-BLD-020"],
    "npm_install_without_pinned_version": ["DD-PKG-003"],
    "pip_install_keeping_cached_packages": ["DD-LYR-004"],
    "run_command_cd_instead_of_workdir": ["DD-BLD-016"],
    "run_using_apt": ["DD-PKG-006"],
    "run_using_sudo": ["DD-PKG-009"],
    "run_using_wget_and_curl": ["DD-BLD-028"],
    "run_utilities_and_posix_commands": ["DD-BLD-027"],
    "same_alias_in_different_froms": ["DD-BLD-004"],
    "shell_running_a_pipe_without_pipefail_flag": ["DD-BLD-012"],
    "unix_ports_out_of_range": ["DD-BLD-026"],
    "unpinned_package_version_in_apk_add": ["DD-PKG-002"],
    "unpinned_package_version_in_pip_install": ["DD-PKG-003"],
    "update_instruction_alone": ["DD-PKG-008"],
    "using_platform_with_from": ["DD-BI-007"],
    "using_unnamed_build_stages": ["DD-BLD-002"],
    "workdir_path_not_absolute": ["DD-BLD-017"],
    "yum_clean_all_missing": ["DD-LYR-005"],
    "yum_install_allows_manual_input": ["DD-PKG-005"],
    "yum_install_without_version": ["DD-PKG-004"],
    "zypper_install_without_version": ["DD-PKG-004"],
}
GOAL = 95.0


def lint(drydock, files):
    out = subprocess.run([drydock, "lint", "--no-config", "--failure-threshold", "none",
                          "-f", "json"] + files, capture_output=True, text=True)
    if out.returncode not in (0, 1):
        sys.stderr.write(out.stderr)
        raise SystemExit("drydock failed with exit %d" % out.returncode)
    return json.loads(out.stdout)["findings"]


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    markdown = "--markdown" in sys.argv
    if not args:
        raise SystemExit(__doc__)
    drydock = args[0]
    here = os.path.dirname(os.path.abspath(__file__))
    kics = args[1] if len(args) > 1 else os.environ.get(
        "DD_KICS_DIR", os.path.join(here, "..", "..", "..", "shared", "conformance", "kics"))
    base = os.path.join(kics, "dockerfile")
    if not os.path.isdir(base):
        print("skipped: no KICS data at %s" % base)
        return 77
    queries = sorted(os.listdir(base))
    rows, tot_exp, tot_found, tot_fp, unmapped = [], 0, 0, 0, []
    for q in queries:
        tdir = os.path.join(base, q, "test")
        meta = json.load(open(os.path.join(base, q, "metadata.json")))
        rules = MAPPING.get(q)
        if not rules:
            unmapped.append(q)
            continue
        files = sorted(f for f in os.listdir(tdir) if f.endswith(".dockerfile"))
        pos = [f for f in files if f.startswith("positive")]
        neg = [f for f in files if f.startswith("negative")]
        expected = json.load(open(os.path.join(tdir, "positive_expected_result.json")))
        findings = lint(drydock, [os.path.join(tdir, f) for f in files])
        got = {}
        for f in findings:
            if f["rule"] in rules:
                got.setdefault(os.path.basename(f["file"]), []).append(f)
        found, missed = 0, []
        for e in expected:
            fname = e.get("fileName") or e.get("filename") or pos[0]
            if any(f["line"] == e["line"] for f in got.get(fname, [])):
                found += 1
            else:
                missed.append("%s:%d" % (fname, e["line"]))
        fps = ["%s:%d" % (n, f["line"]) for n in neg for f in got.get(n, [])
               if f["severity"] in ("warning", "error")]
        tot_exp += len(expected)
        tot_found += found
        tot_fp += len(fps)
        rows.append((q, meta["queryName"], ",".join(rules), found, len(expected), len(neg), fps,
                     missed))
    pct = 100.0 * tot_found / tot_exp if tot_exp else 100.0
    if markdown:
        print("| KICS query | DD rule | found | negatives | false positives |")
        print("|---|---|---:|---:|---|")
        for q, name, rules, found, exp, nneg, fps, missed in rows:
            print("| %s | %s | %d/%d | %d | %s |" % (name, rules, found, exp, nneg,
                                                      ", ".join(fps) or "0"))
    else:
        print("%-58s %-11s %9s %5s %s" % ("KICS query", "DD rule", "found", "neg", "false pos"))
        for q, name, rules, found, exp, nneg, fps, missed in rows:
            print("%-58s %-11s %4d/%-4d %5d %s%s" % (name[:58], rules, found, exp, nneg,
                                                      len(fps) or "0",
                                                      ("  missed " + " ".join(missed)) if missed else ""))
            for fp in fps:
                print("    false positive: %s" % fp)
    print("queries %d (unmapped %d), expected findings %d, found at the right line %d (%.1f%%), "
          "false positives %d" % (len(rows), len(unmapped), tot_exp, tot_found, pct, tot_fp))
    if pct < GOAL or tot_fp:
        print("FAIL: goal is >= %.0f%% found and no false positives" % GOAL)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
