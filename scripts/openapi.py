#!/usr/bin/env python3
"""Writes openapi.yaml (OpenAPI 3.0, in JSON syntax, which YAML reads too) from the API controllers.

Every `router.<method>("/api/v1/...", use: handler)` becomes an operation: its path parameters, the
JSON body its handler decodes (the Decodable struct's fields and their types), its success status,
and the errors every route may answer with (the one error shape). Run it after changing a route;
a Swift test fails when a route exists that the document does not describe.

usage: scripts/openapi.py [--check]
"""
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CONTROLLERS = ROOT / "Sources/SGPSupportWeb/Controllers"
ROUTE = re.compile(r'router\.(get|post|put|patch|delete)\("(/api/v1/[^"]*)", use: (\w+)\)')
DECODE = re.compile(r"decodeJSON\(([\w.<>\[\]: ]+)\.self")
FIELD = re.compile(r"^\s*(?:public )?(?:var|let) (\w+): ([^=\n]+?)\s*(?:=.*)?$", re.M)

ERRORS = {
    "400": "The request could not be read (malformed JSON or parameters).",
    "401": "No valid bearer token.",
    "403": "Signed in, but not allowed to do this to that.",
    "404": "No such record.",
    "409": "The request conflicts with the record's state (already booked, already sent ...).",
    "413": "The body is too large.",
    "415": "The body's Content-Type is not one the route takes (a document upload: PDF, JPEG or PNG).",
    "422": "Input that breaks a rule: `error.fields` says, field by field, what to fix.",
    "429": "Too many attempts: wait for `Retry-After` seconds.",
    "503": "Storage is full or the database is busy: nothing was written.",
}


def struct_declarations(conformance):
    """(file name, struct name, whole body, its own top-level lines) of every struct whose
    declaration names one of `conformance` (a regex alternative)."""
    for path in (ROOT / "Sources").rglob("*.swift"):
        text = path.read_text()
        for match in re.finditer(r"struct (\w+)(?:<[^>]*>)?\s*:[^{]*(?:" + conformance + r")[^{]*\{", text):
            # The struct's body up to its matching brace.
            depth, index = 1, match.end()
            while depth and index < len(text):
                depth += {"{": 1, "}": -1}.get(text[index], 0)
                index += 1
            body = text[match.end():index - 1]
            # Only its own top-level lines (nested types' fields are skipped).
            top, depth = [], 0
            for line in body.splitlines():
                if depth == 0:
                    top.append(line)
                depth += line.count("{") - line.count("}")
            yield path.name, match.group(1), body, "\n".join(top)


def stored_fields(own):
    """name → Swift type of the stored properties among a struct's own lines (not its static ones)."""
    return {field.group(1): field.group(2).strip() for field in FIELD.finditer(own)
            if not re.search(r"\bstatic\b", own[max(0, field.start() - 40):field.start() + 1])}


def decodable_structs():
    structs = {}
    for _, name, _, own in struct_declarations("Decodable"):
        structs.setdefault(name, stored_fields(own))
    return structs


def encodable_structs():
    """Encodable structs by name → (file, fields), or None where the struct writes its own
    `encode(to:)` or keys (then only "an object" is promised)."""
    found = {}
    for file_name, name, body, own in struct_declarations("Encodable|Codable"):
        fields = None if "func encode(to" in body or "CodingKeys" in body else stored_fields(own)
        found.setdefault(name, []).append((file_name, fields))
    return found


def response_schema(handler_body, file_name, encodables, depth=0):
    """The schema of what a handler answers with `.json(...)`, when it names one Encodable struct."""
    kinds = set()
    for call in re.finditer(r"\.json\(", handler_body):
        argument = handler_body[call.end():call.end() + 400]
        listed = re.match(r"\s*ListBody\(\s*items:(.*?), total:", argument, re.S)
        direct = re.match(r"\s*(?:try )?(\w+)\(", argument)
        if listed:
            item = re.search(r"(\w+Body)\b", listed.group(1))
            kinds.add(("list", item.group(1)) if item else ("unknown", ""))
        elif direct and direct.group(1)[0].isupper() and direct.group(1) != "ListBody":
            kinds.add(("one", direct.group(1)))
        else:
            kinds.add(("unknown", ""))
    if len(kinds) != 1:
        return {"type": "object"}
    shape, name = kinds.pop()
    item = encodable_schema(name, file_name, encodables)
    if shape == "unknown" or item is None:
        return {"type": "object"}
    if shape == "list":
        return object_schema({"items": "[ITEM]", "total": "Int", "page": "Int", "perPage": "Int"}, {}, 0, {"ITEM": item})
    return item


def encodable_schema(name, file_name, encodables, depth=0):
    """An Encodable struct's schema, preferring the one declared in the same file."""
    candidates = encodables.get(name, [])
    chosen = [fields for path, fields in candidates if path == file_name] or (
        [candidates[0][1]] if len(candidates) == 1 else [])
    if not chosen or chosen[0] is None or depth > 3:
        return {"type": "object"} if candidates else None
    fields = chosen[0]
    resolved = {}
    for field, kind in fields.items():
        bare = kind.strip().rstrip("?").strip("[]")
        if bare in encodables and bare not in ("Day",):
            resolved[bare] = encodable_schema(bare, file_name, encodables, depth + 1) or {}
    return object_schema(fields, {}, 0, resolved)


def schema_for(swift_type, structs, depth=0, resolved=None):
    resolved = resolved or {}
    swift_type = swift_type.strip()
    optional = swift_type.endswith("?")
    swift_type = swift_type.rstrip("?")
    if swift_type in resolved:
        schema = resolved[swift_type]
    elif swift_type.startswith("[") and ":" in swift_type:
        value = swift_type[1:-1].split(":", 1)[1]
        schema = {"type": "object", "additionalProperties": schema_for(value, structs, depth + 1, resolved)}
    elif swift_type.startswith("["):
        schema = {"type": "array", "items": schema_for(swift_type[1:-1], structs, depth + 1, resolved)}
    elif swift_type in ("String",):
        schema = {"type": "string"}
    elif swift_type in ("Int", "Int64", "Int32", "UInt8"):
        schema = {"type": "integer"}
    elif swift_type in ("Double",):
        schema = {"type": "number"}
    elif swift_type == "Bool":
        schema = {"type": "boolean"}
    elif swift_type in ("Day",):
        schema = {"type": "string", "format": "date"}
    elif swift_type == "Date":
        schema = {"type": "string", "format": "date-time"}
    elif swift_type in structs and depth < 3:
        schema = object_schema(structs[swift_type], structs, depth + 1)
    else:
        schema = {}
    if optional and schema:
        schema = dict(schema, nullable=True)
    return schema


def object_schema(fields, structs, depth=0, resolved=None):
    return {
        "type": "object",
        "properties": {name: schema_for(kind, structs, depth, resolved) for name, kind in fields.items()},
        "required": sorted(name for name, kind in fields.items() if not kind.strip().endswith("?")),
    }


def handler_bodies():
    bodies = {}
    for path in CONTROLLERS.glob("*.swift"):
        text = path.read_text()
        for match in re.finditer(r"@Sendable func (\w+)\(", text):
            end = text.find("@Sendable func", match.end())
            bodies[(path.name, match.group(1))] = text[match.start(): end if end > 0 else len(text)]
    return bodies


def build():
    structs = decodable_structs()
    encodables = encodable_structs()
    bodies = handler_bodies()
    paths = {}
    for path in sorted(CONTROLLERS.glob("*.swift")):
        text = path.read_text()
        for method, route, handler in ROUTE.findall(text):
            body = bodies.get((path.name, handler), "")
            openapi_path = re.sub(r":(\w+)", r"{\1}", route)
            parameters = [
                {"name": name, "in": "path", "required": True,
                 "schema": {"type": "integer"} if name.endswith("id") or name.endswith("Id") else {"type": "string"}}
                for name in re.findall(r":(\w+)", route)
            ]
            for name in sorted(set(re.findall(r'queryParameters\.get\("(\w+)"', body))):
                parameters.append({"name": name, "in": "query", "required": False, "schema": {"type": "string"}})
            if "PageRequest" in body or "pageRequest" in body:
                for name in ("page", "perPage"):
                    if not any(p["name"] == name for p in parameters):
                        parameters.append({"name": name, "in": "query", "required": False,
                                           "schema": {"type": "integer", "minimum": 1}})
            status = "204" if "noContent" in body else "201" if "status: .created" in body else "200"
            operation = {
                "operationId": f"{path.stem.replace('Controller', '')}.{handler}",
                "summary": " ".join(re.findall(r"[A-Z]?[a-z]+", handler)).capitalize(),
                "parameters": parameters,
                "responses": {
                    status: {"description": "Done."} if status == "204" else {
                        "description": "Done.",
                        "content": {"application/json": {"schema": response_schema(body, path.name, encodables)}}},
                    **{code: {"$ref": f"#/components/responses/{code}"} for code in ERRORS},
                },
            }
            if (route, method) in (
                ("/api/v1/session", "post"), ("/api/v1/openapi.json", "get"), ("/api/v1/password-reset", "post")
            ):
                operation["security"] = []
            decoded = DECODE.search(body)
            if decoded:
                name = decoded.group(1).split(".")[-1]
                generic = re.match(r"\w+<(\w+)>", decoded.group(1))
                if generic:
                    name = generic.group(1)
                if name.startswith("["):
                    schema = schema_for(name, structs)
                else:
                    schema = object_schema(structs.get(name, {}), structs)
                operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
            paths.setdefault(openapi_path, {})[method] = operation
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "sgpst",
            "version": "1",
            "description": "The coordination service of a Sessional GP Support Team. Authenticate with "
                           "`POST /api/v1/session` (email and password) and send the token as `Authorization: Bearer`.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {
                        "type": "object",
                        "required": ["code", "message"],
                        "properties": {
                            "code": {"type": "string"},
                            "message": {"type": "string"},
                            "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                        },
                    }},
                }
            },
            "responses": {
                code: {"description": text,
                       "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
                for code, text in ERRORS.items()
            },
        },
    }


def main():
    document = json.dumps(build(), indent=2, sort_keys=False) + "\n"
    target = ROOT / "openapi.yaml"
    if "--check" in sys.argv:
        if target.read_text() != document:
            sys.exit("openapi.yaml is out of date: run scripts/openapi.py")
        return
    target.write_text(document)
    print(f"wrote {target} ({document.count('operationId')} operations)")


if __name__ == "__main__":
    main()
