"""The man page (cli/doc/s3tar.1) and the bash completion (cli/doc/s3tar.bash) against the help
the binary prints: every option of `s3tar --help` and of each command's --help is described and
completed, every option they name exists, the synopsis has each usage form, and the container
image installs both. No server is needed."""

import os
import re
import subprocess
import unittest

import s3env

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
MAN = os.path.join(ROOT, "cli", "doc", "s3tar.1")
COMPLETION = os.path.join(ROOT, "cli", "doc", "s3tar.bash")
DOCKERFILE = os.path.join(ROOT, "docker", "Dockerfile")
COMMANDS = ("", "verify", "run", "inventory", "find", "restore")


def help_text(command):
    args = [command, "--help"] if command else ["--help"]
    rc, out, err = s3env.run_binary(args, s3env.clean_env())
    if rc != 0:
        raise AssertionError(f"s3tar {' '.join(args)}: exit {rc}\n{err}")
    return out


def help_options(text):
    """The options the help's option lines declare ("  -f,--file TEXT  ..."), not those named in
    descriptions or examples."""
    opts = set()
    for line in text.split("\n"):
        m = re.match(r"^  (-[^ ]+)", line)
        if m:
            opts.update(o for o in m.group(1).split(",") if o.startswith("-"))
    return opts


def man_text():
    with open(MAN, encoding="utf-8") as f:
        return f.read().replace("\\-", "-").replace("\\fB", "").replace("\\fR", "").replace("\\fI", "")


class ManPageInStep(unittest.TestCase):
    def test_every_help_option_is_in_the_man_page_and_the_completion(self):
        man = man_text()
        with open(COMPLETION, encoding="utf-8") as f:
            completion = f.read()
        for command in COMMANDS:
            for opt in sorted(help_options(help_text(command))):
                with self.subTest(command=command or "s3tar", option=opt):
                    self.assertRegex(man, rf"(?<![\w-]){re.escape(opt)}(?![\w-])", "missing from s3tar.1")
                    self.assertRegex(completion, rf"(?<![\w-]){re.escape(opt)}(?![\w-])",
                                     "missing from s3tar.bash")

    def test_every_option_of_the_man_page_exists(self):
        known = set()
        for command in COMMANDS:
            known |= help_options(help_text(command))
        described = set(re.findall(r"^\.TP\n(.*)$", man_text(), flags=re.M))
        for line in described:
            for opt in re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", line):
                with self.subTest(option=opt):
                    self.assertIn(opt, known, f"s3tar.1 describes {opt}, which no --help lists")

    def test_synopsis_has_each_usage_form(self):
        usage = help_text("").split("\n\n")[0]
        forms = [re.sub(r"^(Usage:)?\s*", "", line) for line in usage.split("\n")[1:] if "s3tar " in line]
        synopsis = man_text().split(".SH SYNOPSIS")[1].split(".SH")[0]
        self.assertGreaterEqual(len(forms), 8, usage)
        for form in forms:
            self.assertIn(form.replace(" [OPTIONS]", ""), synopsis)

    def test_completion_is_valid_bash(self):
        r = subprocess.run(["bash", "-c", f"source {COMPLETION} && complete -p s3tar"], capture_output=True,
                           text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("_s3tar", r.stdout)
        # Completing "s3tar ver" offers the verify command; "s3tar verify --con" its --content.
        for words, expected in ((["s3tar", "ver"], "verify"), (["s3tar", "verify", "--cont"], "--content"),
                                (["s3tar", "--generate-m"], "--generate-manifest"),
                                (["s3tar", "res"], "restore"), (["s3tar", "restore", "--ti"], "--tier")):
            script = (f"source {COMPLETION}; COMP_WORDS=({' '.join(words)}); COMP_CWORD={len(words) - 1}; "
                      "_s3tar; printf '%s\\n' \"${COMPREPLY[@]}\"")
            r = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30)
            self.assertEqual(r.stdout.split(), [expected], (words, r.stderr))

    def test_the_image_installs_both(self):
        with open(DOCKERFILE, encoding="utf-8") as f:
            docker = f.read()
        self.assertRegex(docker, r"COPY .*cli/doc/s3tar\.1 /usr/(local/)?share/man/man1/s3tar\.1")
        self.assertRegex(docker, r"COPY .*cli/doc/s3tar\.bash /usr/share/bash-completion/completions/s3tar")


if __name__ == "__main__":
    unittest.main()
