// SPDX-License-Identifier: GPL-3.0-or-later
//
// Lists the models a provider offers through its official SDK, following every page, and prints
// one {"id":…} line per chat model (what a client should offer), then {"type":"done","count":N}.
// Gemini models without generateContent (embeddings) are filtered out, as a client must.
//
// Usage: node models.mjs PROTOCOL BASE_URL [--page-size N]
// PROTOCOL: openai | anthropic | gemini | ollama. The key comes from CONFAB_TEST_KEY.

import process from 'node:process';
import { parseArgs } from 'node:util';

import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { Ollama } from 'ollama';
import OpenAI from 'openai';

async function * listModels (protocol, baseURL, key, pageSize) {
  switch (protocol) {
  case 'openai':
    for await (const model of new OpenAI({ apiKey: key, baseURL }).models.list())
      yield model.id;
    break;
  case 'anthropic':
    for await (const model of new Anthropic({ apiKey: key, baseURL }).models.list({ limit: pageSize }))
      yield model.id;
    break;
  case 'gemini': {
    const client = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: baseURL } });
    for await (const model of await client.models.list({ config: { pageSize } })) {
      if (model.supportedActions?.includes('generateContent'))
        yield model.name.replace(/^models\//, '');
    }
    break;
  }
  case 'ollama':
    for (const model of (await new Ollama({ host: baseURL }).list()).models)
      yield model.name;
    break;
  default:
    throw new Error(`unknown protocol ${protocol}`);
  }
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'page-size': { type: 'string' } },
});
if (positionals.length !== 2) {
  process.stderr.write('usage: node models.mjs PROTOCOL BASE_URL [--page-size N]\n');
  process.exit(2);
}

let count = 0;
try {
  const pageSize = values['page-size'] !== undefined ? Number(values['page-size']) : undefined;
  for await (const id of listModels(positionals[0], positionals[1], process.env.CONFAB_TEST_KEY ?? '', pageSize)) {
    process.stdout.write(JSON.stringify({ id }) + '\n');
    count++;
  }
  process.stdout.write(JSON.stringify({ type: 'done', count }) + '\n');
} catch (error) {
  process.stdout.write(JSON.stringify({ type: 'error', message: error?.message ?? String(error) }) + '\n');
  process.exitCode = 1;
}
