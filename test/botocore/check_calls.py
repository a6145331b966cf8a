"""Checks sdkcall custom resources' calls against botocore's service models.

Reads a JSON list of calls on stdin, each {"where", "client", "method",
"params", "ignoreErrors"?, "list"?, "wait"?: {"method", "params", "query",
"until", "pending"}}, and prints one line per problem (nothing when all
pass). The models are the local botocore package's: the same API
definitions boto3 uses in Lambda (the runtime's version may be newer).

Checked: the client is a botocore service; the method is one of its
operations (boto3's snake_case names, botocore.xform_name); the
parameters validate against the operation's input shape (names, types,
required members, enums are left to the service as botocore does); a
Prune's list parameter is a list of the operation's input; IgnoreErrors
matches one of the operation's modelled errors; a Wait's query walks the
wait operation's output shape field by field (a filter's field too), and
Until and Pending are values of the enum the query ends in; an Output query
walks the call's own output shape to one string.
"""
import json
import re
import sys

import botocore.session
import jmespath
from botocore import xform_name
from botocore.exceptions import UnknownServiceError
from botocore.validate import ParamValidator

session = botocore.session.get_session()


def operation(client, method):
    try:
        model = session.get_service_model(client)
    except UnknownServiceError:
        return None, f"{client} is not a botocore service"
    ops = {xform_name(o): o for o in model.operation_names}
    if method not in ops:
        return None, f"{client} has no operation {method}"
    return model.operation_model(ops[method]), None


def leaves(node, shape, where):
    """The shapes a JMESPath AST picks from shape; raises on a field the shape has not."""
    t = node["type"]
    if t == "field":
        if shape.type_name != "structure" or node["value"] not in shape.members:
            raise ValueError(f"{where}: {shape.name} has no member {node['value']}")
        return [shape.members[node["value"]]]
    if t == "subexpression":
        out = [shape]
        for child in node["children"]:
            out = [s for o in out for s in leaves(child, o, where)]
        return out
    if t == "index_expression":
        (left,) = leaves(node["children"][0], shape, where)
        if left.type_name != "list":
            raise ValueError(f"{where}: {left.name} is no list")
        return [left.member]
    if t == "filter_projection":
        # list[?field == 'literal'].right: the list's members, filtered by
        # one of their fields, then right of each.
        left, right, comparator = node["children"]
        (lst,) = leaves(left, shape, where)
        if lst.type_name != "list":
            raise ValueError(f"{where}: {lst.name} is no list")
        leaves(comparator["children"][0], lst.member, where)
        return leaves(right, lst.member, where)
    if t == "multi_select_list":
        return [s for child in node["children"] for s in leaves(child, shape, where)]
    raise ValueError(f"{where}: query node {t} is not supported by this check")


def check(c):
    where = f"{c['where']}: {c['client']}.{c['method']}"
    op, err = operation(c["client"], c["method"])
    if err:
        return [f"{c['where']}: {err}"]
    problems = []
    params = dict(c["params"])
    if c.get("list"):
        shape = op.input_shape.members.get(c["list"])
        if shape is None or shape.type_name != "list":
            problems.append(f"{where}: List {c['list']} is not a list parameter")
        else:
            params[c["list"]] = c["listSample"]
    report = ParamValidator().validate(params, op.input_shape)
    if report.has_errors():
        problems.append(f"{where}: {report.generate_report()}")
    if c.get("ignoreErrors"):
        names = [e.name for e in op.error_shapes]
        codes = [e.metadata.get("error", {}).get("code", e.name) for e in op.error_shapes]
        if not any(re.search(c["ignoreErrors"], n) for n in names + codes):
            problems.append(f"{where}: IgnoreErrors {c['ignoreErrors']} matches none of its errors {names}")
    if c.get("output"):
        try:
            for leaf in leaves(jmespath.compile(c["output"]).parsed, op.output_shape, f"{where} output"):
                if leaf.type_name != "string":
                    problems.append(f"{where} output: {c['output']} picks a {leaf.type_name}, not a string")
        except ValueError as e:
            problems.append(str(e))
    w = c.get("wait")
    if w:
        wop, err = operation(c["client"], w["method"])
        if err:
            return problems + [f"{where} wait: {err}"]
        report = ParamValidator().validate(w["params"], wop.input_shape)
        if report.has_errors():
            problems.append(f"{where} wait: {report.generate_report()}")
        try:
            for leaf in leaves(jmespath.compile(w["query"]).parsed, wop.output_shape, f"{where} wait"):
                enum = getattr(leaf, "enum", None) or []
                for v in [w["until"]] + (w.get("pending") or []):
                    if v not in enum:
                        problems.append(f"{where} wait: {v} is not a value of {leaf.name} {enum}")
        except ValueError as e:
            problems.append(str(e))
    return problems


def main():
    calls = json.load(sys.stdin)
    problems = [p for c in calls for p in check(c)]
    print("\n".join(p.replace("\n", "; ") for p in problems))
    print(f"checked {len(calls)} calls", file=sys.stderr)


if __name__ == "__main__":
    main()
