"""Reading template.yaml: short tags, parameters, conditions and intrinsic functions."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from infra.template import Resolver, TemplateError, UnresolvedReference, load_template


def resolver_for(template: dict[str, Any], **parameters: str) -> Resolver:
    return Resolver(
        template, parameters=parameters, region="eu-west-1", account_id="123456789012", stack_name="lms-t"
    )


def write_template(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_short_tags_of_the_real_template_read_as_long_form() -> None:
    template = load_template()
    resources = template["Resources"]

    assert template["AWSTemplateFormatVersion"] == "2010-09-09"
    assert resources["Table"]["Properties"]["TableName"] == {"Fn::Sub": "lms-${Stage}"}
    redrive = resources["ProgressEventsQueue"]["Properties"]["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["ProgressEventsDLQ", "Arn"]}
    assert resources["UserPoolClient"]["Properties"]["UserPoolId"] == {"Ref": "UserPool"}
    assert template["Conditions"]["HasAlarmEmail"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]
    }


def test_intrinsic_functions_resolve_against_parameters_and_created_resources(tmp_path: Path) -> None:
    template = load_template(
        write_template(
            tmp_path,
            """
            Parameters:
              Stage: {Type: String, Default: dev}
              Zones: {Type: CommaDelimitedList, Default: "a, b"}
            Conditions:
              IsProd: !Equals [!Ref Stage, prod]
              NotProd: !Not [!Condition IsProd]
            Resources:
              Queue:
                Type: AWS::SQS::Queue
                Properties:
                  QueueName: !Sub "lms-${Stage}-${AWS::Region}-${!Literal}"
                  Arn: !GetAtt Queue.Arn
                  Path: !Join ["/", [!Select [1, !Ref Zones], !Select [0, !Split [",", "x,y"]]]]
                  Custom: !Sub ["${Name}-${Queue.QueueName}", {Name: !Ref Stage}]
                  OnlyInProd: !If [IsProd, yes, !Ref AWS::NoValue]
                  Mode: !If [NotProd, relaxed, strict]
            """,
        )
    )
    resolver = resolver_for(template, Stage="test")
    resolver.bind("Queue", "https://queue-url", Arn="arn:queue", QueueName="q")

    assert resolver.resolve(template["Resources"]["Queue"]["Properties"]) == {
        "QueueName": "lms-test-eu-west-1-${Literal}",
        "Arn": "arn:queue",
        "Path": "b/x",
        "Custom": "test-q",
        "Mode": "relaxed",
    }


def test_a_parameter_value_outside_the_allowed_pattern_is_refused() -> None:
    with pytest.raises(TemplateError, match="Stage"):
        resolver_for(load_template(), Stage="Not_A_Stage")


def test_a_parameter_the_template_does_not_declare_is_refused() -> None:
    with pytest.raises(TemplateError, match="Colour"):
        resolver_for(load_template(), Colour="blue")


def test_a_reference_to_a_resource_not_created_names_the_resource() -> None:
    resolver = resolver_for(load_template())
    with pytest.raises(UnresolvedReference, match="UserPool"):
        resolver.resolve({"Fn::GetAtt": ["UserPool", "Arn"]})
    with pytest.raises(UnresolvedReference, match="Api"):
        resolver.resolve({"Fn::Sub": "https://${Api}.example"})
