"""A scripted httpx.MockTransport for the Manage client's pure-logic tests."""

import httpx

from mobius_tui.manage import ApiKeyCredentials, ManageClient, ManageSettings, RetryPolicy

ORIGIN = "https://manage.example.com"
BASE = f"{ORIGIN}/v4_6_release/apis/3.0"


def settings(**overrides):
    values = dict(
        site="manage.example.com",
        company_id="acme",
        client_id="b5c7c2b1-0000-4000-8000-000000000001",
        credentials=ApiKeyCredentials("pub", "priv-SECRET"),
        codebase="v4_6_release/",
        retry=RetryPolicy(attempts=4, base_delay=0.5, max_delay=4),
    )
    values.update(overrides)
    return ManageSettings(**values)


class Recorder:
    """A MockTransport handler answering from a script, recording requests and waits."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.waits: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)

    def client(self, **overrides) -> ManageClient:
        return ManageClient(settings(**overrides), transport=httpx.MockTransport(self), sleep=self.sleep)
