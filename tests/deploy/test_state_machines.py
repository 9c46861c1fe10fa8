#!/usr/bin/env python3
"""Runs the Step Functions state machines of config/cloudformation/*.yaml on a small
interpreter of the Amazon States Language subset they use, with the ECS task / Batch job
outcomes scripted, to check the retry policy: only exit code 5 is retried, exit code 4 waits and
re-runs, exit code 6 succeeds with a notification, everything else notifies and fails.

cfn-lint checks the templates' schema but not what the state machines do; this does.
Usage: python3 tests/deploy/test_state_machines.py  (stdlib + PyYAML)
"""
import copy
import json
import os
import re
import sys
import unittest

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CFN = os.path.join(ROOT, "config", "cloudformation")


# --- CloudFormation YAML -----------------------------------------------------------------------

class CfnLoader(yaml.SafeLoader):
    pass


def _cfn_tag(loader, tag_suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    name = "Ref" if tag_suffix == "Ref" else "Fn::" + tag_suffix
    return {name: value}


CfnLoader.add_multi_constructor("!", _cfn_tag)


def load_template(name):
    with open(os.path.join(CFN, name)) as f:
        return yaml.load(f, Loader=CfnLoader)


def state_machine(template, substitutions):
    """The definition with DefinitionSubstitutions applied as text, as Step Functions does."""
    props = template["Resources"]["StateMachine"]["Properties"]
    definition = copy.deepcopy(props["Definition"])
    definition["TimeoutSeconds"] = 3600
    names = set(props["DefinitionSubstitutions"])
    text = json.dumps(definition)
    used = set(re.findall(r"\$\{([A-Za-z0-9]+)\}", text))
    assert used <= names, f"placeholders without a substitution: {sorted(used - names)}"
    assert names <= used, f"unused substitutions: {sorted(names - used)}"
    for key in names:
        text = text.replace("${" + key + "}", str(substitutions[key]))
    return json.loads(text)


# --- JSONPath and intrinsic functions (the subset the templates use) ---------------------------

class PathMissing(Exception):
    pass


class StatesRuntime(Exception):
    pass


def get_path(path, data, context):
    if path.startswith("$$"):
        node, rest = context, path[2:]
    elif path.startswith("$"):
        node, rest = data, path[1:]
    else:
        raise StatesRuntime(f"not a path: {path}")
    tokens = re.findall(r"\.([A-Za-z0-9_]+)|\[(\d+|\*)\]", rest)
    if "".join(f".{a}" if a else f"[{b}]" for a, b in tokens) != rest:
        raise StatesRuntime(f"unsupported path: {path}")
    nodes, wildcard = [node], False
    for key, index in tokens:
        out = []
        for n in nodes:
            if key:
                if isinstance(n, dict) and key in n:
                    out.append(n[key])
                elif not wildcard:
                    raise PathMissing(path)
            elif index == "*":
                if not isinstance(n, list):
                    raise PathMissing(path)
                out.extend(n)
                wildcard = True
            else:
                i = int(index)
                if isinstance(n, list) and i < len(n):
                    out.append(n[i])
                elif not wildcard:
                    raise PathMissing(path)
        nodes = out
    return nodes if wildcard else nodes[0]


def split_args(text):
    args, depth, quote, cur = [], 0, False, ""
    i = 0
    while i < len(text):
        c = text[i]
        if quote:
            cur += c
            if c == "\\":
                cur += text[i + 1]
                i += 1
            elif c == "'":
                quote = False
        elif c == "'":
            quote, cur = True, cur + c
        elif c == "(":
            depth, cur = depth + 1, cur + c
        elif c == ")":
            depth, cur = depth - 1, cur + c
        elif c == "," and depth == 0:
            args.append(cur.strip())
            cur = ""
        else:
            cur += c
        i += 1
    if cur.strip():
        args.append(cur.strip())
    return args


def evaluate(expr, data, context):
    expr = expr.strip()
    m = re.fullmatch(r"(States\.[A-Za-z]+)\((.*)\)", expr, re.S)
    if not m:
        return get_path(expr, data, context)
    fn, args = m.group(1), []
    for a in split_args(m.group(2)):
        if a.startswith("'"):
            assert a.endswith("'"), a
            body = a[1:-1]
            assert not re.search(r"(?<!\\)[{}]", body.replace("{}", "")), f"unescaped brace in {a}"
            args.append(re.sub(r"\\(.)", r"\1", body))
        elif re.fullmatch(r"-?\d+", a):
            args.append(int(a))
        else:
            args.append(evaluate(a, data, context))
    if fn == "States.Array":
        return list(args)
    if fn == "States.StringSplit":
        return [s for s in args[0].split(args[1]) if s]
    if fn == "States.StringToJson":
        try:
            return json.loads(args[0])
        except (TypeError, ValueError) as e:
            raise StatesRuntime(f"StringToJson: {e}")
    if fn == "States.JsonToString":
        return json.dumps(args[0], separators=(",", ":"))
    if fn == "States.MathAdd":
        return args[0] + args[1]
    if fn == "States.ArrayLength":
        return len(args[0])
    if fn == "States.ArrayUnique":
        out = []
        for v in args[0]:
            if v not in out:
                out.append(v)
        return out
    if fn == "States.ArrayContains":
        return args[1] in args[0]
    if fn == "States.Format":
        parts = args[0].split("{}")
        assert len(parts) == len(args), f"States.Format: {len(parts) - 1} placeholders, {len(args) - 1} values"
        out = parts[0]
        for value, part in zip(args[1:], parts[1:]):
            out += (value if isinstance(value, str) else json.dumps(value)) + part
        return out
    raise StatesRuntime(f"intrinsic not modelled: {fn}")


def parameters(template, data, context):
    if isinstance(template, dict):
        out = {}
        for k, v in template.items():
            if k.endswith(".$"):
                try:
                    out[k[:-2]] = evaluate(v, data, context)
                except PathMissing as e:
                    raise StatesRuntime(f"path {e} missing in {k}")
            else:
                out[k] = parameters(v, data, context)
        return out
    if isinstance(template, list):
        return [parameters(v, data, context) for v in template]
    return template


def apply_result(data, result_path, result):
    if result_path is None:
        return data
    if result_path == "$":
        return result
    data = copy.deepcopy(data)
    keys = result_path[2:].split(".")
    node = data
    for k in keys[:-1]:
        node = node.setdefault(k, {})
    node[keys[-1]] = result
    return data


def choice_rule(rule, data, context):
    if "And" in rule:
        return all(choice_rule(r, data, context) for r in rule["And"])
    if "Or" in rule:
        return any(choice_rule(r, data, context) for r in rule["Or"])
    if "Not" in rule:
        return not choice_rule(rule["Not"], data, context)
    try:
        value = get_path(rule["Variable"], data, context)
        present = True
    except PathMissing:
        present = False
    if "IsPresent" in rule:
        return present == rule["IsPresent"]
    if not present:
        raise StatesRuntime(f"Choice variable {rule['Variable']} missing")
    for op, fn in (("NumericEquals", lambda a, b: a == b), ("NumericLessThan", lambda a, b: a < b),
                   ("BooleanEquals", lambda a, b: a is b), ("StringEquals", lambda a, b: a == b)):
        if op in rule:
            return fn(value, rule[op])
        if op + "Path" in rule:
            return fn(value, get_path(rule[op + "Path"], data, context))
    raise StatesRuntime(f"Choice rule not modelled: {rule}")


class Run:
    def __init__(self, definition, services, execution_input):
        self.d, self.services = definition, services
        self.context = {"Execution": {"Name": "exec-1", "Id": "arn:exec-1"}}
        self.data = execution_input
        self.trace, self.waits, self.notifications = [], [], []
        self.status = None

    def go(self, max_steps=500):
        name = self.d["StartAt"]
        for _ in range(max_steps):
            self.trace.append(name)
            state = self.d["States"][name]
            kind = state["Type"]
            if kind == "Succeed":
                self.status = "SUCCEEDED"
                return self
            if kind == "Fail":
                self.status = "FAILED"
                return self
            if kind == "Choice":
                name = next((c["Next"] for c in state["Choices"]
                             if choice_rule(c, self.data, self.context)), state.get("Default"))
                if name is None:
                    raise StatesRuntime("States.NoChoiceMatched")
                continue
            if kind == "Wait":
                self.waits.append(get_path(state["SecondsPath"], self.data, self.context)
                                  if "SecondsPath" in state else state["Seconds"])
            elif kind == "Pass":
                result = (parameters(state["Parameters"], self.data, self.context)
                          if "Parameters" in state else self.data)
                self.data = apply_result(self.data, state.get("ResultPath", "$"), result)
            elif kind == "Task":
                args = parameters(state.get("Parameters", {}), self.data, self.context)
                try:
                    result = self.services(state["Resource"], args, self)
                except TaskError as e:
                    catcher = next((c for c in state.get("Catch", [])
                                    if e.error in c["ErrorEquals"] or "States.ALL" in c["ErrorEquals"]),
                                   None)
                    if catcher is None:
                        self.status = "FAILED"
                        return self
                    self.data = apply_result(self.data, catcher.get("ResultPath", "$"),
                                             {"Error": e.error, "Cause": e.cause})
                    name = catcher["Next"]
                    continue
                if "ResultSelector" in state:
                    result = parameters(state["ResultSelector"], result, self.context)
                self.data = apply_result(self.data, state.get("ResultPath", "$"), result)
            else:
                raise StatesRuntime(f"state type not modelled: {kind}")
            if state.get("End"):
                self.status = "SUCCEEDED"
                return self
            name = state["Next"]
        raise AssertionError("the state machine loops")


class TaskError(Exception):
    def __init__(self, error, cause):
        super().__init__(error)
        self.error, self.cause = error, cause


def check_graph(test, definition):
    states = definition["States"]
    targets = {definition["StartAt"]}
    for name, s in states.items():
        nexts = [s.get("Next"), s.get("Default")] + [c["Next"] for c in s.get("Choices", [])] \
            + [c["Next"] for c in s.get("Catch", [])]
        for n in filter(None, nexts):
            test.assertIn(n, states, f"{name} -> {n}: no such state")
            targets.add(n)
        if s["Type"] not in ("Choice", "Succeed", "Fail"):
            test.assertTrue("Next" in s or s.get("End"), f"{name} neither Next nor End")
    test.assertEqual(set(states), targets, "unreachable states")


# --- ECS / Fargate -----------------------------------------------------------------------------

ECS_SUBS = {"ClusterArn": "arn:aws:ecs:eu-west-1:1:cluster/c", "TaskDefinitionArn": "arn:td:1",
            "ConfigPath": "/etc/s3tar/job.json", "Subnets": "subnet-a,subnet-b",
            "SecurityGroups": "sg-1", "AssignPublicIp": "DISABLED", "TransientRetries": 3,
            "TransientRetrySeconds": 600, "NotDeliveredRetries": 8,
            "NotDeliveredRetrySeconds": 3600, "TopicArn": "arn:sns:t"}


def ecs_services(outcomes):
    """outcomes: exit codes in order; None = stopped without an exit code; 'api' = RunTask refused."""
    outcomes = list(outcomes)

    def call(resource, args, run):
        if resource == "arn:aws:states:::ecs:runTask.sync":
            run.tasks = getattr(run, "tasks", []) + [args]
            outcome = outcomes.pop(0)
            if outcome == "api":
                raise TaskError("ECS.AmazonECSException", "Rate exceeded")
            container = {"Name": "s3tar", "LastStatus": "STOPPED"}
            if outcome is not None:
                container["ExitCode"] = outcome
            task = {"TaskArn": "arn:task/1", "StoppedReason": "Essential container in task exited",
                    "Containers": [container]}
            if outcome == 0:
                return task
            raise TaskError("States.TaskFailed", json.dumps(task))
        if resource == "arn:aws:states:::sns:publish":
            run.notifications.append((args["Subject"], args["Message"]))
            return {"MessageId": "m"}
        raise AssertionError(f"unexpected resource {resource}")
    return call


class EcsStateMachine(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.template = load_template("ecs-fargate.yaml")
        cls.definition = state_machine(cls.template, ECS_SUBS)

    def run_with(self, outcomes, execution_input=None):
        run = Run(self.definition, ecs_services(outcomes), execution_input or {}).go()
        return run

    def test_graph(self):
        check_graph(self, self.definition)

    def test_success_runs_once_without_notification(self):
        run = self.run_with([0])
        self.assertEqual((run.status, len(run.tasks), run.notifications), ("SUCCEEDED", 1, []))
        task = run.tasks[0]
        self.assertEqual(task["Overrides"]["ContainerOverrides"][0]["Command"],
                         ["run", "--config", "/etc/s3tar/job.json"])
        self.assertEqual(task["NetworkConfiguration"]["AwsvpcConfiguration"]["Subnets"],
                         ["subnet-a", "subnet-b"])

    def test_transient_is_retried_after_a_wait(self):
        run = self.run_with([5, 5, 0])
        self.assertEqual((run.status, len(run.tasks), run.waits), ("SUCCEEDED", 3, [600, 600]))

    def test_transient_retries_are_bounded_and_notify(self):
        run = self.run_with([5] * 10)
        self.assertEqual((run.status, len(run.tasks)), ("FAILED", 4))
        self.assertEqual(len(run.notifications), 1)
        self.assertIn("failed", run.notifications[0][0])

    def test_inventory_not_delivered_waits_longer(self):
        run = self.run_with([4, 4, 0])
        self.assertEqual((run.status, len(run.tasks), run.waits), ("SUCCEEDED", 3, [3600, 3600]))

    def test_inventory_wait_is_bounded(self):
        run = self.run_with([4] * 20)
        self.assertEqual((run.status, len(run.tasks)), ("FAILED", 9))

    def test_the_two_budgets_are_separate(self):
        run = self.run_with([4, 5, 4, 5, 0])
        self.assertEqual((run.status, run.waits), ("SUCCEEDED", [3600, 600, 3600, 600]))

    def test_no_retry_on_other_codes(self):
        for code in (1, 2, 3, 137, None, "api"):
            with self.subTest(code=code):
                run = self.run_with([code, 0])
                self.assertEqual((run.status, len(getattr(run, "tasks", [])), run.waits),
                                 ("FAILED", 1, []))
                self.assertEqual(len(run.notifications), 1)

    def test_skipped_objects_succeed_with_a_notification(self):
        run = self.run_with([6])
        self.assertEqual((run.status, len(run.tasks)), ("SUCCEEDED", 1))
        self.assertEqual(len(run.notifications), 1)
        self.assertIn("skipped", run.notifications[0][0])

    def test_date_is_kept_across_retries(self):
        run = self.run_with([5, 4, 0], {"date": "2025-11-20"})
        commands = [t["Overrides"]["ContainerOverrides"][0]["Command"] for t in run.tasks]
        self.assertEqual(commands, [["run", "--config", "/etc/s3tar/job.json", "--date", "2025-11-20"]] * 3)

    def test_inventory_delivery_runs_the_day_of_that_report(self):
        url = "s3://inv/logs/src/daily/2025-11-21T01-00Z/manifest.checksum"
        run = self.run_with([5, 0], {"manifest": url})
        commands = [t["Overrides"]["ContainerOverrides"][0]["Command"] for t in run.tasks]
        self.assertEqual(commands, [["run", "--config", "/etc/s3tar/job.json", "--inventory-manifest", url]] * 2)
        self.assertEqual(run.status, "SUCCEEDED")

    def test_task_definition(self):
        res = self.template["Resources"]
        container = res["TaskDefinition"]["Properties"]["ContainerDefinitions"]
        self.assertEqual(len(container), 1, "the state machine reads Containers[0]")
        self.assertEqual(container[0]["Name"], "s3tar")
        self.assertEqual(container[0]["StopTimeout"], {"Ref": "StopTimeout"})
        self.assertEqual(self.template["Parameters"]["StopTimeout"]["MaxValue"], 120)
        schedule = res["Schedule"]["Properties"]
        self.assertEqual(schedule["ScheduleExpressionTimezone"], {"Ref": "ScheduleTimezone"})
        actions = json.dumps(res["TaskRole"]["Properties"]["Policies"])
        self.assertNotRegex(actions, r'"Effect": "Allow", "Action": [^]]*Delete')


# --- Start on inventory delivery (EventBridge rule) ----------------------------------------------

def resolve(value, params):
    """Ref and Fn::Sub of parameters, as CloudFormation resolves them."""
    if isinstance(value, dict) and set(value) == {"Ref"}:
        return params[value["Ref"]]
    if isinstance(value, dict) and set(value) == {"Fn::Sub"}:
        return re.sub(r"\$\{([A-Za-z0-9]+)\}", lambda m: str(params[m.group(1)]), value["Fn::Sub"])
    if isinstance(value, dict):
        return {k: resolve(v, params) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, params) for v in value]
    return value


def wildcard_match(pattern, value):
    return re.fullmatch(".*".join(re.escape(p) for p in pattern.split("*")), value, re.S) is not None


def pattern_matches(pattern, event):
    """EventBridge event pattern matching: the subset the templates use (exact values, prefix,
    suffix, wildcard; fields AND, values in a list OR)."""
    for field, want in pattern.items():
        if field not in event:
            return False
        got = event[field]
        if isinstance(want, dict):
            if not isinstance(got, dict) or not pattern_matches(want, got):
                return False
            continue
        ok = False
        for w in want:
            if isinstance(w, dict):
                (op, arg), = w.items()
                ok |= isinstance(got, str) and {
                    "prefix": lambda: got.startswith(arg), "suffix": lambda: got.endswith(arg),
                    "wildcard": lambda: wildcard_match(arg, got)}[op]()
            else:
                ok |= got == w
        if not ok:
            return False
    return True


def transform(transformer, event):
    """EventBridge InputTransformer: JSON paths into <placeholders> of the template."""
    text = transformer["InputTemplate"]
    for name, path in transformer["InputPathsMap"].items():
        value = get_path(path, event, {})
        text = text.replace(f"<{name}>", value)
    return json.loads(text)


def condition_holds(template, name, params):
    def ev(expr):
        (fn, args), = expr.items()
        if fn == "Fn::Equals":
            return resolve(args[0], params) == resolve(args[1], params)
        if fn == "Fn::Not":
            return not ev(args[0])
        if fn == "Condition":
            return ev(template["Conditions"][args])
        raise AssertionError(f"condition function not modelled: {fn}")
    return ev(template["Conditions"][name])


def s3_event(bucket, key, detail_type="Object Created"):
    return {"version": "0", "id": "e-1", "detail-type": detail_type, "source": "aws.s3",
            "account": "111122223333", "time": "2025-11-21T01:12:00Z", "region": "eu-west-1",
            "resources": [f"arn:aws:s3:::{bucket}"],
            "detail": {"version": "0", "bucket": {"name": bucket},
                       "object": {"key": key, "size": 32, "etag": "e"}, "reason": "PutObject"}}


class EcsStartOnDelivery(unittest.TestCase):
    PARAMS = {"InventoryBucket": "inv", "InventoryPrefix": "logs/src/daily", "StartOn": "Both"}

    @classmethod
    def setUpClass(cls):
        cls.template = load_template("ecs-fargate.yaml")
        cls.definition = state_machine(cls.template, ECS_SUBS)
        rule = cls.template["Resources"]["InventoryDeliveredRule"]["Properties"]
        cls.pattern = resolve(rule["EventPattern"], cls.PARAMS)
        cls.target = rule["Targets"][0]

    def test_matches_the_reports_manifest_checksum_only(self):
        folder = "logs/src/daily/2025-11-21T01-00Z/"
        self.assertTrue(pattern_matches(self.pattern, s3_event("inv", folder + "manifest.checksum")))
        for bucket, key, kind in (
                ("inv", folder + "manifest.json", "Object Created"),
                ("inv", "logs/src/daily/data/0b1c.csv.gz", "Object Created"),
                ("inv", "logs/src/other/2025-11-21T01-00Z/manifest.checksum", "Object Created"),
                ("inv", "logs/src/daily-2/2025-11-21T01-00Z/manifest.checksum", "Object Created"),
                ("other", folder + "manifest.checksum", "Object Created"),
                ("inv", folder + "manifest.checksum", "Object Deleted")):
            with self.subTest(bucket=bucket, key=key, kind=kind):
                self.assertFalse(pattern_matches(self.pattern, s3_event(bucket, key, kind)))

    def test_the_event_starts_the_state_machine_with_that_report(self):
        self.assertEqual(self.target["Arn"], {"Ref": "StateMachine"})
        key = "logs/src/daily/2025-11-21T01-00Z/manifest.checksum"
        execution_input = transform(self.target["InputTransformer"], s3_event("inv", key))
        self.assertEqual(execution_input, {"manifest": f"s3://inv/{key}"})
        run = Run(self.definition, ecs_services([4, 0]), execution_input).go()
        commands = [t["Overrides"]["ContainerOverrides"][0]["Command"] for t in run.tasks]
        self.assertEqual(commands[0][-2:], ["--inventory-manifest", f"s3://inv/{key}"])
        self.assertEqual((run.status, len(commands)), ("SUCCEEDED", 2))

    def test_the_rule_may_start_only_this_state_machine(self):
        role = self.template["Resources"]["DeliveryRuleRole"]["Properties"]
        self.assertEqual(role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
                         {"Service": "events.amazonaws.com"})
        statement = role["Policies"][0]["PolicyDocument"]["Statement"]
        self.assertEqual(statement, [{"Effect": "Allow", "Action": "states:StartExecution",
                                      "Resource": {"Ref": "StateMachine"}}])
        self.assertEqual(self.target["RoleArn"], {"Fn::GetAtt": "DeliveryRuleRole.Arn"})

    def test_start_on_chooses_the_triggers(self):
        res = self.template["Resources"]
        self.assertEqual(self.template["Parameters"]["StartOn"]["Default"], "Schedule")
        for start_on, schedule, rule in (("Schedule", True, False), ("InventoryDelivery", False, True),
                                         ("Both", True, True)):
            params = dict(self.PARAMS, StartOn=start_on)
            with self.subTest(start_on=start_on):
                for name, want in (("Schedule", schedule), ("SchedulerRole", schedule),
                                   ("InventoryDeliveredRule", rule), ("DeliveryRuleRole", rule)):
                    cond = res[name].get("Condition")
                    self.assertIsNotNone(cond, name)
                    self.assertEqual(condition_holds(self.template, cond, params), want, name)


# --- Batch array -------------------------------------------------------------------------------

BATCH_SUBS = {"JobQueue": "arn:queue", "JobDefinition": "arn:jobdef:1",
              "ConfigPath": "/etc/s3tar/job.json", "Shards": 4, "NotDeliveredRetries": 8,
              "NotDeliveredRetrySeconds": 3600, "TopicArn": "arn:sns:t"}


def batch_services(submissions):
    """submissions: for each SubmitJob, the children's final exit codes (None = no exit code)."""
    submissions = list(submissions)

    def call(resource, args, run):
        if resource == "arn:aws:states:::batch:submitJob.sync":
            run.jobs = getattr(run, "jobs", []) + [args]
            codes = submissions.pop(0)
            run.current = codes
            if all(c == 0 for c in codes):
                return {"JobId": "job-1", "Status": "SUCCEEDED"}
            raise TaskError("States.TaskFailed", json.dumps({"JobId": f"job-{len(run.jobs)}",
                                                              "Status": "FAILED"}))
        if resource == "arn:aws:states:::aws-sdk:batch:listJobs":
            assert args["JobStatus"] == "FAILED" and args["ArrayJobId"].startswith("job-")
            summaries = []
            for i, c in enumerate(run.current):
                if c != 0:
                    s = {"JobId": f"child:{i}", "Container": {}}
                    if c is not None:
                        s["Container"]["ExitCode"] = c
                    summaries.append(s)
            return {"JobSummaryList": summaries}
        if resource == "arn:aws:states:::sns:publish":
            run.notifications.append((args["Subject"], args["Message"]))
            return {"MessageId": "m"}
        raise AssertionError(f"unexpected resource {resource}")
    return call


class BatchStateMachine(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.template = load_template("batch-array.yaml")
        cls.definition = state_machine(cls.template, BATCH_SUBS)

    def run_with(self, submissions, execution_input=None):
        return Run(self.definition, batch_services(submissions), execution_input or {}).go()

    def test_graph(self):
        check_graph(self, self.definition)

    def test_success(self):
        run = self.run_with([[0, 0, 0, 0]])
        self.assertEqual((run.status, len(run.jobs), run.notifications), ("SUCCEEDED", 1, []))
        self.assertEqual(run.jobs[0]["ArrayProperties"]["Size"], 4)
        self.assertEqual(run.jobs[0]["ContainerOverrides"]["Command"], ["run", "--config", "/etc/s3tar/job.json"])

    def test_not_delivered_resubmits_later(self):
        run = self.run_with([[4, 4, 4, 4], [0, 0, 0, 0]], {"date": "2025-11-20"})
        self.assertEqual((run.status, len(run.jobs), run.waits), ("SUCCEEDED", 2, [3600]))
        self.assertEqual(run.jobs[1]["ContainerOverrides"]["Command"][-2:], ["--date", "2025-11-20"])

    def test_not_delivered_is_bounded(self):
        run = self.run_with([[4, 4, 4, 4]] * 20)
        self.assertEqual((run.status, len(run.jobs)), ("FAILED", 9))

    def test_skipped(self):
        run = self.run_with([[6, 0, 6, 0]])
        self.assertEqual((run.status, len(run.notifications)), ("SUCCEEDED", 1))

    def test_failures_are_not_resubmitted(self):
        for codes in ([5, 0, 0, 0], [2, 2, 2, 2], [4, 3, 4, 4], [None, 0, 0, 0], [1, 0, 0, 0]):
            with self.subTest(codes=codes):
                run = self.run_with([codes, [0, 0, 0, 0]])
                self.assertEqual((run.status, len(run.jobs), len(run.notifications)), ("FAILED", 1, 1))

    def test_batch_retries_only_exit_code_5(self):
        strategy = self.template["Resources"]["JobDefinition"]["Properties"]["RetryStrategy"]
        rules = strategy["EvaluateOnExit"]
        self.assertEqual(rules[0], {"OnExitCode": "5", "Action": "RETRY"})
        self.assertTrue(all(r["Action"] == "EXIT" for r in rules[1:]))
        self.assertIn({"OnReason": "*", "Action": "EXIT"}, rules, "unmatched outcomes must not retry")


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=1).result
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
