// SPDX-License-Identifier: GPL-3.0-or-later
//
// Streams one chat turn through a provider's official SDK and prints what the SDK understood as
// NDJSON events, the same events `confab-cli chat --events` prints:
//
//   {"type":"reasoning","text":…}   {"type":"text","text":…}
//   {"type":"usage","input_tokens":N,"output_tokens":N}   (once, the last usage seen)
//   {"type":"error","message":…}    on failure (exit status 1)
//   {"type":"done","finish_reason":…}   last, when the stream completed
//
// Usage: node stream.mjs PROTOCOL BASE_URL MODEL PROMPT [--azure-deployment D] [--api-version V]
//                        [--system TEXT] [--no-reasoning] [--max-retries N]
// PROTOCOL: openai | azure | anthropic | gemini | ollama. The key comes from CONFAB_TEST_KEY.
// finish_reason is normalised to stop | length | content_filter | tool_calls (else the raw value
// in lower case).

import process from 'node:process';
import { parseArgs } from 'node:util';

import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { Ollama } from 'ollama';
import OpenAI, { AzureOpenAI } from 'openai';

const FINISH_REASONS = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  refusal: 'content_filter',
  tool_use: 'tool_calls',
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content_filter',
  RECITATION: 'content_filter',
  BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
  SPII: 'content_filter',
};

function emit (event) {
  process.stdout.write(JSON.stringify(event) + '\n');
}

function normaliseFinish (reason) {
  if (reason === null || reason === undefined)
    return null;
  return FINISH_REASONS[reason] ?? String(reason).toLowerCase();
}

// Collects what one stream produced; adjacent deltas are printed as they come.
class Turn {
  constructor () {
    this.usage = null;
    this.finishReason = null;
  }

  reasoning (text) {
    if (text)
      emit({ type: 'reasoning', text });
  }

  text (text) {
    if (text)
      emit({ type: 'text', text });
  }

  setUsage (input, output) {
    this.usage = { input: input ?? this.usage?.input ?? 0, output: output ?? this.usage?.output ?? 0 };
  }

  finish (reason) {
    if (reason !== null && reason !== undefined)
      this.finishReason = normaliseFinish(reason);
  }

  done () {
    if (this.usage)
      emit({ type: 'usage', input_tokens: this.usage.input, output_tokens: this.usage.output });
    emit({ type: 'done', finish_reason: this.finishReason });
  }
}

function messages (opts, prompt) {
  const list = [];
  if (opts.system)
    list.push({ role: 'system', content: opts.system });
  list.push({ role: 'user', content: prompt });
  return list;
}

async function streamOpenAI (client, model, prompt, opts, turn) {
  const stream = await client.chat.completions.create({
    model,
    messages: messages(opts, prompt),
    stream: true,
    stream_options: { include_usage: true },
  });
  for await (const chunk of stream) {
    const choice = chunk.choices?.[0];
    const usage = chunk.usage ?? choice?.usage;
    if (choice?.delta) {
      turn.reasoning(choice.delta.reasoning_content ?? choice.delta.reasoning);
      turn.text(choice.delta.content);
    }
    turn.finish(choice?.finish_reason);
    if (usage)
      turn.setUsage(usage.prompt_tokens, usage.completion_tokens);
  }
}

function openaiClient (baseURL, key, opts) {
  return new OpenAI({ apiKey: key, baseURL, maxRetries: opts.maxRetries });
}

function azureClient (endpoint, key, opts) {
  return new AzureOpenAI({
    apiKey: key,
    endpoint,
    apiVersion: opts.apiVersion ?? '2024-10-21',
    deployment: opts.azureDeployment,
    maxRetries: opts.maxRetries,
  });
}

async function streamAnthropic (baseURL, key, model, prompt, opts, turn) {
  const client = new Anthropic({ apiKey: key, baseURL, maxRetries: opts.maxRetries });
  const request = {
    model,
    max_tokens: 4096,
    messages: [{ role: 'user', content: prompt }],
    stream: true,
  };
  if (opts.system)
    request.system = opts.system;
  if (opts.reasoning)
    request.thinking = { type: 'enabled', budget_tokens: 1024 };
  const stream = await client.messages.create(request);
  for await (const event of stream) {
    if (event.type === 'message_start')
      turn.setUsage(event.message.usage?.input_tokens, event.message.usage?.output_tokens);
    else if (event.type === 'content_block_delta' && event.delta.type === 'thinking_delta')
      turn.reasoning(event.delta.thinking);
    else if (event.type === 'content_block_delta' && event.delta.type === 'text_delta')
      turn.text(event.delta.text);
    else if (event.type === 'message_delta') {
      turn.finish(event.delta.stop_reason);
      turn.setUsage(event.usage?.input_tokens ?? undefined, event.usage?.output_tokens);
    }
  }
}

async function streamGemini (baseUrl, key, model, prompt, opts, turn) {
  const client = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl } });
  const config = {};
  if (opts.system)
    config.systemInstruction = opts.system;
  if (opts.reasoning)
    config.thinkingConfig = { includeThoughts: true };
  const stream = await client.models.generateContentStream({ model, contents: prompt, config });
  for await (const response of stream) {
    const candidate = response.candidates?.[0];
    for (const part of candidate?.content?.parts ?? []) {
      if (part.thought)
        turn.reasoning(part.text);
      else
        turn.text(part.text);
    }
    turn.finish(candidate?.finishReason);
    const usage = response.usageMetadata;
    if (usage)
      turn.setUsage(usage.promptTokenCount, (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0));
  }
}

async function streamOllama (host, model, prompt, opts, turn) {
  const client = new Ollama({ host });
  const stream = await client.chat({
    model,
    messages: messages(opts, prompt),
    stream: true,
    think: opts.reasoning,
  });
  for await (const part of stream) {
    turn.reasoning(part.message?.thinking);
    turn.text(part.message?.content);
    if (part.done) {
      turn.finish(part.done_reason);
      turn.setUsage(part.prompt_eval_count, part.eval_count);
    }
  }
}

function parseCommandLine () {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'azure-deployment': { type: 'string' },
      'api-version': { type: 'string' },
      'system': { type: 'string' },
      'no-reasoning': { type: 'boolean' },
      'max-retries': { type: 'string' },
    },
  });
  if (positionals.length !== 4) {
    process.stderr.write('usage: node stream.mjs PROTOCOL BASE_URL MODEL PROMPT ' +
                         '[--azure-deployment D --api-version V] [--system TEXT] [--no-reasoning] ' +
                         '[--max-retries N]\n');
    process.exit(2);
  }
  const [protocol, baseURL, model, prompt] = positionals;
  const opts = {
    azureDeployment: values['azure-deployment'],
    apiVersion: values['api-version'],
    system: values.system,
    reasoning: !values['no-reasoning'],
    maxRetries: values['max-retries'] !== undefined ? Number(values['max-retries']) : 2,
  };
  return { protocol, baseURL, model, prompt, opts };
}

async function run ({ protocol, baseURL, model, prompt, opts }, turn) {
  const key = process.env.CONFAB_TEST_KEY ?? '';
  switch (protocol) {
  case 'openai':
    return streamOpenAI(openaiClient(baseURL, key, opts), model, prompt, opts, turn);
  case 'azure':
    return streamOpenAI(azureClient(baseURL, key, opts), model, prompt, opts, turn);
  case 'anthropic':
    return streamAnthropic(baseURL, key, model, prompt, opts, turn);
  case 'gemini':
    return streamGemini(baseURL, key, model, prompt, opts, turn);
  case 'ollama':
    return streamOllama(baseURL, model, prompt, opts, turn);
  default:
    throw new Error(`unknown protocol ${protocol}`);
  }
}

// A reader that stops early (| head) is not an SDK failure
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE')
    process.exit(process.exitCode ?? 0);
  throw error;
});

const turn = new Turn();
try {
  await run(parseCommandLine(), turn);
  turn.done();
} catch (error) {
  emit({ type: 'error', message: error?.message ?? String(error) });
  process.exitCode = 1;
}
