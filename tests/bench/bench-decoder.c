/* bench-decoder.c: the OpenAI-compatible stream decoder alone
 *
 *   bench-decoder MEGABYTES
 *
 * Builds an SSE body of about MEGABYTES MiB shaped like the mock's (and
 * OpenAI's) chunks in memory, then decodes it in 16 KiB reads the way a
 * ConfabChatStream does, and prints the decoded byte count. Run under
 * valgrind --tool=callgrind it gives instructions per MiB of stream.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>

#include "confab-openai-stream-parser.h"

static void
on_delta (const ConfabDelta *delta,
          gpointer           user_data)
{
  gsize *decoded = user_data;

  if (delta->kind == CONFAB_DELTA_TEXT)
    *decoded += strlen (delta->text);
}

static GString *
make_stream (gsize megabytes)
{
  GString *body = g_string_new (NULL);
  const char *piece = "Line of text with some words, 中文 too, and numbers 0123456789. ";
  guint n = 0;

  while (body->len < megabytes * 1024 * 1024)
    {
      g_autoptr(GString) content = g_string_new (NULL);

      while (content->len < 1000)
        g_string_append (content, piece);
      g_string_append_printf (body,
                              "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\","
                              "\"created\":1760000000,\"model\":\"bench\",\"system_fingerprint\":\"fp\","
                              "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%s %u\"},"
                              "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n",
                              content->str, n++);
    }
  g_string_append (body, "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\","
                         "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                         "data: [DONE]\n\n");
  return body;
}

int
main (int    argc,
      char **argv)
{
  gsize megabytes = argc > 1 ? strtoul (argv[1], NULL, 10) : 10;
  g_autoptr(GString) body = make_stream (MAX (megabytes, 1));
  g_autoptr(ConfabStreamParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  gsize decoded = 0;

  parser = confab_openai_stream_parser_new (confab_provider_info_lookup ("openai"));
  confab_stream_parser_set_delta_func (parser, on_delta, &decoded);

  for (gsize offset = 0; offset < body->len; offset += 16384)
    if (!confab_stream_parser_feed (parser, body->str + offset, MIN (16384, body->len - offset),
                                    &error))
      g_error ("%s", error->message);
  if (!confab_stream_parser_finish (parser, &error))
    g_error ("%s", error->message);

  g_print ("%zu %zu\n", body->len, decoded);
  return 0;
}
