"""Statement positions as the simulator reports them: 1-based lines and columns, just past each brace."""

from __future__ import annotations

from shieldwall.policy.positions import Position, Span, statement_spans


def test_each_statement_of_a_list_spans_from_past_its_open_brace_to_past_its_close_brace() -> None:
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}, {"Effect": "Deny"}]}'
    first, second = statement_spans(text)
    assert first == Span(Position(1, text.index("{", 1) + 2), Position(1, text.index("}") + 2))
    assert second.start == Position(1, text.index('{"Effect": "Deny"') + 2)


def test_lines_end_at_lf_crlf_or_a_lone_cr() -> None:
    text = '{\r\n"Statement":\r[\n  {"Effect": "Allow",\r\n   "Action": "s3:*"}\n]}'
    [span] = statement_spans(text)
    assert span == Span(Position(4, 4), Position(5, 21))  # `}` is the 20th character of line 5


def test_strings_holding_braces_escapes_and_nested_values_do_not_confuse_the_scan() -> None:
    text = (
        '{"Id": "{[}]\\"", "Statement": {"Sid": "a", "Condition": {"StringLike": {"k": ["}", "{"]}},'
        ' "Resource": ["*", 1.5e3, true, null]}}'
    )
    [span] = statement_spans(text)
    assert span.start.column == text.index('{"Sid"') + 2
    assert span.end.column == len(text) - 1 + 1


def test_an_escaped_statement_key_and_a_repeated_one_resolve_as_the_json_parser_does() -> None:
    text = '{"Statement": [{"Effect": "Deny"}], "\\u0053tatement": [{}, {"Effect": "Allow"}]}'
    spans = statement_spans(text)
    assert [span.start.column for span in spans] == [
        text.index("[{}") + 3,
        text.index('{"Effect": "Allow"') + 2,
    ]
    assert statement_spans('{"Version": "2012-10-17"}') == ()
