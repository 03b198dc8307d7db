#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Regenerates the seed corpora in tests/fuzz/corpus/ from the test
# fixtures and from what the in-tree mock provider and confab-cli really
# produce. Run it inside a test session (it needs a keyring and private
# XDG folders):
#
#   tests/test-session.sh python3 tests/fuzz/make-corpus.py BUILDDIR
#
# Each target's input format is described in its fuzz-TARGET.c. Files are
# named after their content's hash, so running it again adds nothing twice.

import hashlib
import http.client
import json
import os
import subprocess
import sys
import tempfile

SRCDIR = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(SRCDIR, "..", "fixtures")
CORPUS = os.path.join(SRCDIR, "corpus")
SEED = b"\x00\x00\x00\x00"  # one byte per read: see confab_fuzz_chunks()
SEEDS = [SEED, b"\x07\x00\x00\x00", b"\x2a\x13\x00\x00"]
PROMPT = "Hello, 世界! Say ```code``` and **bold** <b>html</b> \u202e RTL"

builddir = os.path.abspath(sys.argv[1])
cli = os.path.join(builddir, "src", "confab-cli")
mock = os.path.join(builddir, "tests", "confab-mock-provider")
providers = json.loads(subprocess.check_output([cli, "providers", "--json"]))
protocol_of = {p["id"]: p["protocol"] for p in providers}


def save(target, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def preset_byte(protocol, provider_id):
    """The index fuzz-stream.c's pick_provider() maps back to provider_id."""
    same = [p["id"] for p in providers if p["protocol"] == protocol]
    return bytes([same.index(provider_id)])


def error_preset_byte(provider_id):
    return bytes([[p["id"] for p in providers].index(provider_id)])


def save_stream(protocol, body, provider_id=None):
    provider_id = provider_id or {"openai": "openai", "azure": "azure",
                                  "anthropic": "anthropic", "gemini": "gemini",
                                  "ollama": "ollama"}[protocol]
    for seed in SEEDS:
        save(protocol + "-stream", preset_byte(protocol, provider_id) + seed + body)
        save("ndjson-decoder" if protocol == "ollama" else "sse-decoder", seed + body)


def save_error(provider_id, status, body):
    save("error-body", error_preset_byte(provider_id) + bytes([(status - 100) % 256,
                                                               (status - 100) // 256]) + body)


# Fixtures: the recorded shapes of real providers.
FIXTURE_PROVIDER = {
    "openai": "openai", "deepseek": "deepseek", "moonshot": "moonshot",
    "openrouter": "openrouter", "spark": "spark", "azure": "azure",
    "anthropic": "anthropic", "gemini": "gemini", "ollama": "ollama",
}
for name in sorted(os.listdir(FIXTURES)):
    with open(os.path.join(FIXTURES, name), "rb") as f:
        body = f.read()
    provider_id = FIXTURE_PROVIDER[name.split("-")[0]]
    save_stream(protocol_of[provider_id], body, provider_id)


# The mock provider: every stream and error shape it has.
proc = subprocess.Popen([mock, "--port", "0"], stdout=subprocess.PIPE, text=True)
url = proc.stdout.readline().strip()
host, port = url.rsplit("/", 1)[1].split(":")


def request(method, path, headers, body):
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.request(method, path, body=json.dumps(body).encode() if body is not None else None,
                 headers=dict(headers, **{"content-type": "application/json"}))
    response = conn.getresponse()
    data = b""
    try:
        while True:
            chunk = response.read1(65536)
            if not chunk:
                break
            data += chunk
    except (http.client.IncompleteRead, ConnectionError) as e:
        data += getattr(e, "partial", b"")
    conn.close()
    return response.status, data


def messages():
    return [{"role": "user", "content": PROMPT}]


def chat(protocol, model, reasoning=False):
    if protocol == "openai":
        return request("POST", "/v1/chat/completions", {"authorization": "Bearer sk-fuzz"},
                       {"model": model, "messages": messages(), "stream": True,
                        "stream_options": {"include_usage": True}})
    if protocol == "azure":
        return request("POST", "/openai/deployments/%s/chat/completions?api-version=2024-10-21"
                       % model, {"api-key": "fuzz"}, {"messages": messages(), "stream": True})
    if protocol == "anthropic":
        body = {"model": model, "max_tokens": 4096, "messages": messages(), "stream": True}
        if reasoning:
            body["thinking"] = {"type": "enabled", "budget_tokens": 1024}
        return request("POST", "/v1/messages", {"x-api-key": "fuzz",
                                                "anthropic-version": "2023-06-01"}, body)
    if protocol == "gemini":
        body = {"contents": [{"role": "user", "parts": [{"text": PROMPT}]}]}
        if reasoning:
            body["generationConfig"] = {"thinkingConfig": {"includeThoughts": True}}
        return request("POST", "/v1beta/models/%s:streamGenerateContent?alt=sse" % model,
                       {"x-goog-api-key": "fuzz"}, body)
    return request("POST", "/api/chat", {}, {"model": model, "messages": messages(),
                                             "stream": True})


STREAMS = ["echo", "reasoning", "reasoning-openrouter", "inband-error", "malformed", "keepalive",
           "usage-in-choice", "no-stop", "filtered-output", "overloaded", "drop", "huge-1k"]
ERRORS = ["error-401", "error-403-region", "error-429", "error-quota", "error-500",
          "content-filter", "nonexistent-model"]
try:
    for protocol in ["openai", "azure", "anthropic", "gemini", "ollama"]:
        for scenario in STREAMS:
            status, body = chat(protocol, scenario, reasoning=True)
            if status == 200:
                save_stream(protocol, body)
        for scenario in ERRORS:
            status, body = chat(protocol, scenario)
            if status != 200:
                for provider_id in [p["id"] for p in providers
                                    if p["protocol"] == protocol] or [protocol]:
                    save_error(provider_id, status, body)
finally:
    proc.terminate()
    proc.wait()

# Error bodies of OpenAI-compatible providers that the mock does not speak
# (providers.md: Zhipu, Spark, SiliconFlow, Baidu v1, gateways, Gemini RetryInfo).
for provider_id, status, body in [
    ("zhipu", 429, b'{"error":{"code":"1113","message":"\xe4\xbd\x99\xe9\xa2\x9d\xe4\xb8\x8d\xe8\xb6\xb3"}}'),
    ("spark", 200, b'{"code":10013,"message":"input content audit failed","sid":"x"}'),
    ("siliconflow", 401, b'{"code":20015,"message":"Invalid token","data":null}'),
    ("qianfan", 200, b'{"error_code":17,"error_msg":"Open api daily request limit reached"}'),
    ("custom", 502, b'<html><body>Bad gateway</body></html>'),
    ("custom", 404, b'{"message":"no Route matched with those values"}'),
    ("gemini", 429, b'{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","details":[{"@type":'
                    b'"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1e300s"}]}}'),
    ("deepseek", 402, b'data: {"error":{"message":"Insufficient Balance"}}'),
]:
    save_error(provider_id, status, body)


# Accounts files as confab-cli writes them.
def run_cli(*args, stdin=""):
    return subprocess.run([cli, *args], input=stdin, capture_output=True, text=True)


accounts_json = os.path.join(os.environ["XDG_CONFIG_HOME"], "confab", "accounts.json")
steps = [
    ("accounts", "add", "Work", "--provider", "openai", "--key-stdin"),
    ("accounts", "add", "本地", "--provider", "ollama", "--model", "qwen2.5:7b"),
    ("accounts", "add", "Azure", "--provider", "azure", "--base-url",
     "https://example.openai.azure.com", "--deployment", "gpt-4o", "--api-version",
     "2024-10-21", "--key-stdin"),
    ("accounts", "add", "Proxy", "--provider", "custom", "--base-url", "http://127.0.0.1:1/v1",
     "--proxy", "socks5://user@127.0.0.1:1080", "--header", "X-Team: 研发", "--key-stdin"),
    ("accounts", "add", "Qwen", "--provider", "qwen", "--region", "intl", "--key-stdin"),
    ("accounts", "add", "Corp", "--provider", "custom", "--base-url", "https://llm.corp.example/v1",
     "--ca-file", "/etc/ssl/certs/corp.pem", "--key-stdin"),
    ("accounts", "default", "本地"),
]
for step in steps:
    run_cli(*step, stdin="sk-fuzz-seed\n")
    if os.path.exists(accounts_json):
        with open(accounts_json, "rb") as f:
            save("account-store", f.read())
for data in [b"", b"{}", b'{"version":1,"accounts":[]}', b'{"version":1,"accounts":[{}]}',
             b'{"version":1,"default":{"id":1},"accounts":[{"id":"a","name":"A","provider":"x",'
             b'"headers":["X: 1",2,null,"bad header"]}]}', b"[" * 64]:
    save("account-store", data)


# History exports, from real chats against the mock.
proc = subprocess.Popen([mock, "--port", "0"], stdout=subprocess.PIPE, text=True)
base = proc.stdout.readline().strip()
try:
    run_cli("accounts", "add", "Mock", "--provider", "custom", "--base-url", base + "/v1",
            "--model", "echo", "--key-stdin", stdin="sk-fuzz-seed\n")
    run_cli("accounts", "default", "Mock")
    run_cli("chat", "第一个问题：what is 2+2?")
    run_cli("chat", "--continue", "and **again**")
    run_cli("chat", "--model", "reasoning", "--system", "Be brief.", "--temperature", "0.5",
            "think first")
    run_cli("chat", "--model", "inband-error", "this one fails")
    run_cli("chat", "--model", "error-401", "not allowed")
    export = run_cli("history", "export", "--all", "--format", "json").stdout
    save("history-import", export.encode())
    one = json.loads(export)
    for conversation in one.get("conversations", []):
        save("history-import", json.dumps(dict(one, conversations=[conversation]),
                                          ensure_ascii=False).encode())
finally:
    proc.terminate()
    proc.wait()
save("history-import", b'{"format":"confab-history","version":1,"conversations":[]}')
save("history-import", b'{"format":"confab-history","version":2,"conversations":[]}')


# Markdown: ordinary replies and the hostile ones of issue 8.
MARKDOWN = [
    "# Title\n\nSome *emphasis*, **strong**, `code`, ~~strike~~ and a [link](https://example.com).\n",
    "1. one\n2. two\n   - nested\n     > quote\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n",
    "```python\nprint('hi')\n```\n\n- [ ] task\n- [x] done\n\n---\n",
    "<b>bold?</b> <span foreground=\"red\">pango</span> &amp; &lt;markup&gt; <script>alert(1)</script>\n",
    "\x1b[31mred\x1b[0m \x1b]8;;http://evil\x07link\x1b]8;;\x07 \u202eevil\u202c zero\u200bwidth\ufeff\n",
    "[js](javascript:alert(1)) [file](file:///etc/passwd) [smb](smb://host/share) [x](calculator://)\n",
    "![x](http://127.0.0.1:1/leak?d=secret) ![y](data:image/png;base64,AAAA) <https://auto.link>\n",
    "x" * 5000 + "\n",
    "- " * 200 + "deep\n",
    "> " * 200 + "quoted\n",
    "*" * 300 + "a" + "*" * 300 + "\n",
    "中文段落，**加粗**，`代码`。\n\n## 二级标题\n\n1. 第一\n2. 第二\n",
]
for text in MARKDOWN:
    save("markdown", text.encode())
    for seed in SEEDS:
        save("markdown-view", seed + text.encode())
with open(os.path.join(SRCDIR, "..", "..", "README.md"), "rb") as f:
    readme = f.read()
save("markdown", readme)
save("markdown-view", SEED + readme[:8192])
