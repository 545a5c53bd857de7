"""template.yaml as data: CloudFormation short tags in long form, and intrinsic functions resolved."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

TEMPLATE: Path = Path(__file__).resolve().parent.parent / "template.yaml"

PSEUDO_NO_VALUE = "AWS::NoValue"


class TemplateError(ValueError):
    """The template asks for something the local stack cannot or will not do."""


class UnresolvedReference(TemplateError):
    """A Ref or GetAtt names a resource the local stack has not created (yet)."""


# libyaml parses the template ten times faster than pure Python where it is available.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[valid-type, misc]
    """A safe loader without timestamps: CloudFormation has no dates, `2010-09-09` is a string."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            resource, _, attribute = str(value).partition(".")
            value = [resource, attribute]
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_Loader.add_multi_constructor("!", _construct_intrinsic)


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    """The template with short tags (`!Ref`, `!GetAtt A.B`, `!Sub` ...) turned into long form."""
    with path.open(encoding="utf-8") as stream:
        document = yaml.load(stream, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass  # nosec B506
    if not isinstance(document, dict) or not isinstance(document.get("Resources"), dict):
        raise TemplateError(f"{path.name} is not a CloudFormation template (no Resources)")
    return document


def references(value: Any) -> Iterator[str]:
    """Logical ids (resources or parameters) that a property value refers to."""
    if isinstance(value, list):
        for item in value:
            yield from references(item)
    elif isinstance(value, dict):
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref" and isinstance(argument, str):
                yield argument
                return
            if key == "Fn::GetAtt":
                target = argument[0] if isinstance(argument, list) else str(argument).partition(".")[0]
                yield str(target)
                return
            if key == "Fn::Sub":
                text, variables = (argument[0], argument[1]) if isinstance(argument, list) else (argument, {})
                for name in _SUB_VARIABLE.findall(text):
                    if not name.startswith("!") and name not in variables:
                        yield name.partition(".")[0]
                yield from references(variables)
                return
        for item in value.values():
            yield from references(item)


_SUB_VARIABLE = re.compile(r"\$\{([^}]+)\}")


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


_NO_VALUE = _NoValue()


class Resolver:
    """Evaluates intrinsic functions against parameter values and the physical ids bound so far."""

    def __init__(
        self,
        template: Mapping[str, Any],
        *,
        parameters: Mapping[str, str],
        region: str,
        account_id: str,
        stack_name: str,
    ) -> None:
        self._template = template
        self._parameters = _parameter_values(template.get("Parameters") or {}, parameters)
        self._pseudo: dict[str, str] = {
            "AWS::Region": region,
            "AWS::AccountId": account_id,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": stack_name,
            "AWS::StackId": f"arn:aws:cloudformation:{region}:{account_id}:stack/{stack_name}/local",
        }
        self._region = region
        self._refs: dict[str, Any] = {}
        self._attributes: dict[str, dict[str, Any]] = {}
        self._conditions: dict[str, bool] = {}

    @property
    def parameters(self) -> dict[str, Any]:
        return dict(self._parameters)

    def bind(self, logical_id: str, ref: Any, **attributes: Any) -> None:
        """Record what `Ref` and `Fn::GetAtt` of a created resource answer."""
        self._refs[logical_id] = ref
        self._attributes[logical_id] = attributes

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            conditions = self._template.get("Conditions") or {}
            if name not in conditions:
                raise TemplateError(f"unknown condition {name!r}")
            self._conditions[name] = bool(self.resolve(conditions[name]))
        return self._conditions[name]

    def resolve(self, value: Any) -> Any:
        """The value with every intrinsic function evaluated and `AWS::NoValue` entries dropped."""
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref" or key == "Condition" or key.startswith("Fn::"):
                return self._intrinsic(key, argument)
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not _NO_VALUE}

    def _intrinsic(self, name: str, argument: Any) -> Any:
        if name == "Ref":
            return self._ref(str(argument))
        if name == "Condition":
            return self.condition(str(argument))
        if name == "Fn::GetAtt":
            target, attribute = argument if isinstance(argument, list) else str(argument).split(".", 1)
            return self._get_att(str(target), str(self.resolve(attribute)))
        if name == "Fn::Sub":
            return self._sub(argument)
        if name == "Fn::If":
            condition, when_true, when_false = argument
            return self.resolve(when_true if self.condition(condition) else when_false)
        if name == "Fn::Equals":
            left, right = self.resolve(argument)
            return str(left) == str(right)
        if name == "Fn::Not":
            (operand,) = argument
            return not self._truth(operand)
        if name == "Fn::And":
            return all(self._truth(operand) for operand in argument)
        if name == "Fn::Or":
            return any(self._truth(operand) for operand in argument)
        if name == "Fn::Join":
            delimiter, items = argument
            return str(delimiter).join(str(item) for item in self.resolve(items))
        if name == "Fn::Select":
            index, items = self.resolve(argument)
            return items[int(index)]
        if name == "Fn::Split":
            delimiter, text = self.resolve(argument)
            return str(text).split(str(delimiter))
        if name == "Fn::FindInMap":
            mapping, top, second = self.resolve(argument)
            return self._template["Mappings"][mapping][top][second]
        if name == "Fn::GetAZs":
            return [f"{self._region}{zone}" for zone in "abc"]
        if name == "Fn::Base64":
            return base64.b64encode(str(self.resolve(argument)).encode()).decode()
        raise TemplateError(f"the local stack does not evaluate {name}")

    def _truth(self, operand: Any) -> bool:
        if isinstance(operand, dict) and set(operand) == {"Condition"}:
            return self.condition(operand["Condition"])
        return bool(self.resolve(operand))

    def _ref(self, name: str) -> Any:
        if name == PSEUDO_NO_VALUE:
            return _NO_VALUE
        if name in self._pseudo:
            return self._pseudo[name]
        if name in self._parameters:
            return self._parameters[name]
        if name in self._refs:
            return self._refs[name]
        raise UnresolvedReference(f"Ref {name}: not a parameter, nor a resource the local stack created")

    def _get_att(self, logical_id: str, attribute: str) -> Any:
        attributes = self._attributes.get(logical_id)
        if attributes is None:
            raise UnresolvedReference(f"GetAtt {logical_id}.{attribute}: resource not created locally")
        if attribute not in attributes:
            known = ", ".join(sorted(attributes)) or "none"
            raise UnresolvedReference(f"GetAtt {logical_id}.{attribute}: known attributes are {known}")
        return attributes[attribute]

    def _sub(self, argument: Any) -> str:
        text, variables = (argument[0], argument[1]) if isinstance(argument, list) else (argument, {})
        values = {key: self.resolve(value) for key, value in variables.items()}

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in values:
                return str(values[name])
            if "." in name:
                target, attribute = name.split(".", 1)
                return str(self._get_att(target, attribute))
            return str(self._ref(name))

        return _SUB_VARIABLE.sub(substitute, str(text))


def _parameter_values(declared: Mapping[str, Any], given: Mapping[str, str]) -> dict[str, Any]:
    unknown = set(given) - set(declared)
    if unknown:
        raise TemplateError(f"unknown template parameters: {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for name, declaration in declared.items():
        if name in given:
            raw = str(given[name])
        elif "Default" in declaration:
            raw = str(declaration["Default"])
        else:
            raise TemplateError(f"parameter {name} has no default and no value was given")
        _check_parameter(name, declaration, raw)
        kind = str(declaration.get("Type", "String"))
        is_list = kind == "CommaDelimitedList" or kind.startswith("List<")
        values[name] = [item.strip() for item in raw.split(",")] if is_list else raw
    return values


def _check_parameter(name: str, declaration: Mapping[str, Any], raw: str) -> None:
    allowed = declaration.get("AllowedValues")
    if allowed is not None and raw not in {str(value) for value in allowed}:
        raise TemplateError(f"parameter {name}={raw!r} is not one of {allowed}")
    pattern = declaration.get("AllowedPattern")
    if pattern is not None and re.fullmatch(str(pattern), raw) is None:
        raise TemplateError(f"parameter {name}={raw!r} does not match {pattern}")
    if declaration.get("Type") == "Number":
        number = float(raw)
        if "MinValue" in declaration and number < float(declaration["MinValue"]):
            raise TemplateError(f"parameter {name}={raw} is below {declaration['MinValue']}")
        if "MaxValue" in declaration and number > float(declaration["MaxValue"]):
            raise TemplateError(f"parameter {name}={raw} is above {declaration['MaxValue']}")
