/* bench-text.c: deterministic chat text for the desktop-app benchmarks
 *
 * Questions and markdown replies shaped like real ones (English and
 * Chinese prose with inline markup, nested lists, fenced code in several
 * languages, tables), drawn from a seeded GRand so that every run renders
 * the same text.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "bench-text.h"

static const char * const english[] = {
  "the", "model", "answer", "request", "stream", "server", "proxy", "timeout", "function",
  "returns", "value", "because", "database", "index", "query", "memory", "thread", "callback",
  "window", "widget", "layout", "render", "buffer", "cache", "latency", "token", "context",
  "provider", "account", "network", "certificate", "release", "version", "package", "compile",
  "library", "document", "example", "simple", "faster", "instead", "every", "without", "after",
  "before", "which", "should", "could", "would", "might", "usually", "carefully", "always",
};

static const char * const chinese[] = {
  "首先", "我们需要", "配置代理服务器", "检查网络连接", "这个函数会返回错误", "数据库索引",
  "查询变慢的原因", "内存占用", "线程安全", "异步回调", "在桌面环境中", "按钮的布局",
  "举一个例子", "流式输出", "上下文长度", "模型的回答", "这样做的好处是", "另外",
  "需要注意的是", "换句话说", "总的来说", "性能会更好", "缓存命中率", "延迟降低了一半",
  "发布新版本", "安装软件包", "编译时的警告", "文档里写得很清楚", "深度求索", "通义千问",
};

static const struct
{
  const char *language;
  const char *code;
} snippets[] = {
  { "python",
    "import asyncio\n"
    "from dataclasses import dataclass\n"
    "\n"
    "@dataclass\n"
    "class Reply:\n"
    "    text: str\n"
    "    tokens: int = 0\n"
    "\n"
    "async def stream(client, prompt: str) -> Reply:\n"
    "    reply = Reply(text=\"\")\n"
    "    async for chunk in client.chat(prompt, stream=True):\n"
    "        reply.text += chunk.delta  # 逐块追加\n"
    "        reply.tokens += 1\n"
    "    return reply\n"
    "\n"
    "if __name__ == \"__main__\":\n"
    "    print(asyncio.run(stream(None, \"你好\")).text)\n" },
  { "c",
    "static gboolean\n"
    "on_tick (GtkWidget     *widget,\n"
    "         GdkFrameClock *clock,\n"
    "         gpointer       user_data)\n"
    "{\n"
    "  Renderer *self = user_data;\n"
    "  gint64 now = gdk_frame_clock_get_frame_time (clock);\n"
    "\n"
    "  if (self->pending == NULL)\n"
    "    return G_SOURCE_CONTINUE;\n"
    "  for (guint i = 0; i < self->pending->len; i++)\n"
    "    render_block (self, g_ptr_array_index (self->pending, i), now);\n"
    "  g_ptr_array_set_size (self->pending, 0);\n"
    "  return G_SOURCE_CONTINUE;\n"
    "}\n" },
  { "javascript",
    "const response = await fetch(`${baseUrl}/chat/completions`, {\n"
    "  method: 'POST',\n"
    "  headers: { 'Content-Type': 'application/json' },\n"
    "  body: JSON.stringify({ model, messages, stream: true }),\n"
    "});\n"
    "const reader = response.body.getReader();\n"
    "const decoder = new TextDecoder();\n"
    "let buffer = '';\n"
    "for (;;) {\n"
    "  const { value, done } = await reader.read();\n"
    "  if (done) break;\n"
    "  buffer += decoder.decode(value, { stream: true });\n"
    "  const events = buffer.split('\\n\\n');\n"
    "  buffer = events.pop();\n"
    "  events.forEach(handleEvent);\n"
    "}\n" },
  { "rust",
    "use std::collections::HashMap;\n"
    "\n"
    "#[derive(Debug, Clone)]\n"
    "pub struct Cache<V> {\n"
    "    entries: HashMap<String, V>,\n"
    "    capacity: usize,\n"
    "}\n"
    "\n"
    "impl<V: Clone> Cache<V> {\n"
    "    pub fn get(&self, key: &str) -> Option<V> {\n"
    "        self.entries.get(key).cloned()\n"
    "    }\n"
    "\n"
    "    pub fn insert(&mut self, key: String, value: V) {\n"
    "        if self.entries.len() >= self.capacity {\n"
    "            self.entries.clear();\n"
    "        }\n"
    "        self.entries.insert(key, value);\n"
    "    }\n"
    "}\n" },
  { "go",
    "func (s *Server) handle(w http.ResponseWriter, r *http.Request) {\n"
    "\tflusher, ok := w.(http.Flusher)\n"
    "\tif !ok {\n"
    "\t\thttp.Error(w, \"streaming unsupported\", http.StatusInternalServerError)\n"
    "\t\treturn\n"
    "\t}\n"
    "\tw.Header().Set(\"Content-Type\", \"text/event-stream\")\n"
    "\tfor piece := range s.generate(r.Context()) {\n"
    "\t\tfmt.Fprintf(w, \"data: %s\\n\\n\", piece)\n"
    "\t\tflusher.Flush()\n"
    "\t}\n"
    "}\n" },
  { "bash",
    "#!/bin/sh\n"
    "set -eu\n"
    "for model in deepseek-chat qwen-plus glm-4; do\n"
    "  echo \"== $model\"\n"
    "  confab-cli chat --model \"$model\" \"用一句话介绍你自己\" || echo \"failed: $?\"\n"
    "done\n"
    "find . -name '*.log' -mtime +7 -print0 | xargs -0 rm -f\n"
    "du -sh ~/.local/share/confab\n" },
  { "sql",
    "SELECT c.id, c.title, count(m.id) AS messages,\n"
    "       max(m.created) AS last_message\n"
    "FROM conversations AS c\n"
    "JOIN messages AS m ON m.conversation = c.id\n"
    "WHERE m.role = 'assistant'\n"
    "  AND m.created > strftime('%s', 'now', '-30 days') * 1000000\n"
    "GROUP BY c.id\n"
    "HAVING messages > 10\n"
    "ORDER BY last_message DESC\n"
    "LIMIT 50;\n" },
  { "json",
    "{\n"
    "  \"model\": \"deepseek-chat\",\n"
    "  \"stream\": true,\n"
    "  \"temperature\": 0.7,\n"
    "  \"messages\": [\n"
    "    { \"role\": \"system\", \"content\": \"你是一个有帮助的助手。\" },\n"
    "    { \"role\": \"user\", \"content\": \"How do I configure a proxy?\" }\n"
    "  ],\n"
    "  \"stream_options\": { \"include_usage\": true }\n"
    "}\n" },
  { "yaml",
    "name: build\n"
    "on: [push, pull_request]\n"
    "jobs:\n"
    "  test:\n"
    "    runs-on: ubuntu-latest\n"
    "    container: debian:12\n"
    "    steps:\n"
    "      - uses: actions/checkout@v4\n"
    "      - run: build-aux/deps\n"
    "      - run: build-aux/test\n"
    "      - run: build-aux/bench --quick\n" },
  { "html",
    "<!DOCTYPE html>\n"
    "<html lang=\"zh-CN\">\n"
    "  <head>\n"
    "    <meta charset=\"utf-8\">\n"
    "    <title>流式输出示例</title>\n"
    "  </head>\n"
    "  <body>\n"
    "    <main id=\"reply\" aria-live=\"polite\"></main>\n"
    "    <script type=\"module\" src=\"stream.js\"></script>\n"
    "  </body>\n"
    "</html>\n" },
};

static const char *
pick (GRand              *rand,
      const char * const *words,
      guint               n_words)
{
  return words[g_rand_int_range (rand, 0, n_words)];
}

/* Some words come with the inline markup replies are full of. */
static void
append_english_word (GString *text,
                     GRand   *rand,
                     gboolean first)
{
  const char *word = pick (rand, english, G_N_ELEMENTS (english));
  guint markup = g_rand_int_range (rand, 0, 40);

  if (!first)
    g_string_append_c (text, ' ');
  if (markup == 0)
    g_string_append_printf (text, "**%s**", word);
  else if (markup == 1)
    g_string_append_printf (text, "`%s()`", word);
  else if (markup == 2)
    g_string_append_printf (text, "[%s](https://example.com/docs/%s)", word, word);
  else if (first)
    g_string_append_printf (text, "%c%s", g_ascii_toupper (word[0]), word + 1);
  else
    g_string_append (text, word);
}

static void
append_english_sentence (GString *text,
                         GRand   *rand)
{
  guint n = g_rand_int_range (rand, 8, 20);

  for (guint i = 0; i < n; i++)
    append_english_word (text, rand, i == 0);
  g_string_append_c (text, '.');
}

static void
append_chinese_sentence (GString *text,
                         GRand   *rand)
{
  guint n = g_rand_int_range (rand, 3, 7);

  for (guint i = 0; i < n; i++)
    {
      if (g_rand_int_range (rand, 0, 30) == 0)
        g_string_append_printf (text, "**%s**", pick (rand, chinese, G_N_ELEMENTS (chinese)));
      else
        g_string_append (text, pick (rand, chinese, G_N_ELEMENTS (chinese)));
      g_string_append (text, i + 1 < n ? "，" : "。");
    }
}

static void
append_sentence (GString  *text,
                 GRand    *rand,
                 gboolean  in_chinese)
{
  if (in_chinese)
    append_chinese_sentence (text, rand);
  else
    append_english_sentence (text, rand);
}

static void
append_paragraph (GString  *text,
                  GRand    *rand,
                  gboolean  in_chinese,
                  guint     n_sentences)
{
  for (guint i = 0; i < n_sentences; i++)
    {
      if (i > 0 && !in_chinese)
        g_string_append_c (text, ' ');
      append_sentence (text, rand, in_chinese);
    }
  g_string_append (text, "\n\n");
}

/* Three levels deep, bulleted and numbered. */
static void
append_nested_list (GString  *text,
                    GRand    *rand,
                    gboolean  in_chinese)
{
  for (guint i = 0; i < 4; i++)
    {
      g_string_append_printf (text, "%u. ", i + 1);
      append_sentence (text, rand, in_chinese);
      g_string_append_c (text, '\n');
      for (guint j = 0; j < 2; j++)
        {
          g_string_append (text, "   - ");
          append_sentence (text, rand, in_chinese);
          g_string_append_c (text, '\n');
          if (j == 1)
            {
              g_string_append (text, "     - ");
              append_sentence (text, rand, in_chinese);
              g_string_append_c (text, '\n');
            }
        }
    }
  g_string_append_c (text, '\n');
}

static void
append_code (GString *text,
             guint    index)
{
  guint i = index % G_N_ELEMENTS (snippets);

  g_string_append_printf (text, "```%s\n%s```\n\n", snippets[i].language, snippets[i].code);
}

static void
append_table (GString *text,
              GRand   *rand)
{
  static const char * const models[] = {
    "deepseek-chat", "qwen-plus", "glm-4", "moonshot-v1-8k", "gpt-4o-mini", "claude-3-5-haiku",
  };

  g_string_append (text, "| 模型 Model | 上下文 Context | 输入价格 Input | 延迟 Latency | 备注 Notes |\n"
                         "|---|---:|---:|---:|---|\n");
  for (guint i = 0; i < 12; i++)
    g_string_append_printf (text, "| `%s` | %uk | ¥%u.%02u | %u ms | %s |\n",
                            models[i % G_N_ELEMENTS (models)], 8u << (i % 5),
                            g_rand_int_range (rand, 0, 20), g_rand_int_range (rand, 0, 100),
                            g_rand_int_range (rand, 150, 2000),
                            pick (rand, chinese, G_N_ELEMENTS (chinese)));
  g_string_append_c (text, '\n');
}

void
bench_text_append_question (GString *text,
                            GRand   *rand)
{
  append_sentence (text, rand, g_rand_boolean (rand));
}

/* A paragraph or two, often a list, sometimes code: 0.3 to 2 KB. */
void
bench_text_append_reply (GString *text,
                         GRand   *rand)
{
  gboolean in_chinese = g_rand_boolean (rand);

  append_paragraph (text, rand, in_chinese, g_rand_int_range (rand, 2, 5));
  if (g_rand_int_range (rand, 0, 2) == 0)
    {
      for (guint i = 0; i < 3; i++)
        {
          g_string_append (text, "- ");
          append_sentence (text, rand, in_chinese);
          g_string_append_c (text, '\n');
        }
      g_string_append_c (text, '\n');
    }
  if (g_rand_int_range (rand, 0, 4) == 0)
    append_code (text, g_rand_int_range (rand, 0, G_N_ELEMENTS (snippets)));
  if (g_rand_boolean (rand))
    append_paragraph (text, rand, in_chinese, g_rand_int_range (rand, 1, 3));
  /* Replies end without the blank line. */
  while (text->len > 0 && text->str[text->len - 1] == '\n')
    g_string_truncate (text, text->len - 1);
}

/**
 * bench_text_make_document:
 * @size: about how many bytes
 *
 * A long reply in ten sections, each with a heading, prose (every other
 * section in Chinese), a nested list and a fenced code block in its own
 * language; a table in the middle.
 *
 * Returns: the markdown
 */
char *
bench_text_make_document (gsize size)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20251129);
  GString *text = g_string_new ("# 流式渲染基准 Streaming render benchmark\n\n");
  const guint n_sections = G_N_ELEMENTS (snippets);

  for (guint section = 0; section < n_sections; section++)
    {
      gboolean in_chinese = section % 2 == 1;
      gsize end = size * (section + 1) / n_sections;

      g_string_append_printf (text, "## %u. ", section + 1);
      append_sentence (text, rand, in_chinese);
      g_string_append (text, "\n\n");
      append_paragraph (text, rand, in_chinese, 4);
      append_nested_list (text, rand, in_chinese);
      if (section == n_sections / 2)
        append_table (text, rand);
      append_code (text, section);
      while (text->len < end)
        append_paragraph (text, rand, in_chinese, g_rand_int_range (rand, 3, 7));
    }
  return g_string_free (text, FALSE);
}
