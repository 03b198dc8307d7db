/* test-ndjson-decoder.c: line splitting of ConfabNdjsonDecoder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-ndjson-decoder.h"

#include <string.h>

/* Expected lines end with NULL. */
#define CHECK_NDJSON(input, ...)                                  \
  G_STMT_START {                                                  \
    static const char * const expected_[] = { __VA_ARGS__ };      \
    check_ndjson ((input), sizeof (input) - 1, expected_);        \
  } G_STMT_END

static void
append_escaped (GString    *out,
                const char *bytes,
                gsize       len)
{
  for (gsize i = 0; i < len; i++)
    {
      guchar c = bytes[i];

      if (c >= 0x20 && c < 0x7F && c != '\\')
        g_string_append_c (out, c);
      else
        g_string_append_printf (out, "\\x%02X", c);
    }
}

static void
record_line (const char *line,
             gsize       len,
             gpointer    user_data)
{
  GString *log = user_data;

  g_assert_nonnull (line);
  g_assert_cmpuint (len, >, 0);
  g_assert_cmpint (line[len], ==, '\0');
  g_assert_cmpuint (strlen (line), ==, len);
  g_assert_true (g_utf8_validate (line, len, NULL));
  g_assert_false (g_ascii_isspace (line[0]));
  g_assert_false (g_ascii_isspace (line[len - 1]));

  g_string_append_c (log, '[');
  append_escaped (log, line, len);
  g_string_append (log, "]\n");
}

/* Feeds @first bytes, then the rest in pieces of @step, then finishes. */
static char *
decode_in_pieces (const char *input,
                  gsize       len,
                  gsize       first,
                  gsize       step)
{
  g_autoptr(ConfabNdjsonDecoder) decoder = NULL;
  GString *log = g_string_new (NULL);

  decoder = confab_ndjson_decoder_new (record_line, log, NULL);

  confab_ndjson_decoder_feed (decoder, input, first);
  for (gsize off = first; off < len; off += step)
    confab_ndjson_decoder_feed (decoder, input + off, MIN (step, len - off));
  confab_ndjson_decoder_finish (decoder);

  return g_string_free (log, FALSE);
}

/* Runs @input fed whole, byte by byte, and split in two at every offset, and
 * compares the lines each run delivers with @expected. */
static void
check_ndjson (const char         *input,
              gsize               len,
              const char * const *expected)
{
  g_autoptr(GString) want = g_string_new (NULL);
  g_autofree char *whole = NULL;
  g_autofree char *bytewise = NULL;

  for (const char * const *line = expected; *line != NULL; line++)
    {
      g_string_append_c (want, '[');
      append_escaped (want, *line, strlen (*line));
      g_string_append (want, "]\n");
    }

  whole = decode_in_pieces (input, len, len, 1);
  g_assert_cmpstr (whole, ==, want->str);

  bytewise = decode_in_pieces (input, len, 0, 1);
  g_assert_cmpstr (bytewise, ==, want->str);

  for (gsize split = 0; split <= len; split++)
    {
      g_autofree char *got = decode_in_pieces (input, len, split, len);

      if (!g_str_equal (got, want->str))
        g_test_message ("split at byte %" G_GSIZE_FORMAT, split);
      g_assert_cmpstr (got, ==, want->str);
    }
}

static void
test_lf_lines (void)
{
  CHECK_NDJSON ("{\"a\":1}\n{\"b\":2}\n", "{\"a\":1}", "{\"b\":2}", NULL);
}

static void
test_crlf_lines (void)
{
  CHECK_NDJSON ("{\"a\":1}\r\n{\"b\":2}\r\n", "{\"a\":1}", "{\"b\":2}", NULL);
}

static void
test_lone_cr_not_line_end (void)
{
  CHECK_NDJSON ("{\"a\":1}\r{\"b\":2}\n", "{\"a\":1}\r{\"b\":2}", NULL);
}

static void
test_blank_lines_skipped (void)
{
  CHECK_NDJSON ("\n\n", NULL);
  CHECK_NDJSON ("\r\n \n\t\r\n{\"a\":1}\n   \n\n{\"b\":2}\n\r\n", "{\"a\":1}", "{\"b\":2}", NULL);
}

static void
test_surrounding_blanks_trimmed (void)
{
  CHECK_NDJSON ("  {\"a\": \" x \"}\t \r\n", "{\"a\": \" x \"}", NULL);
}

static void
test_finish_delivers_last_line (void)
{
  CHECK_NDJSON ("{\"a\":1}\n{\"done\":true}", "{\"a\":1}", "{\"done\":true}", NULL);
  CHECK_NDJSON ("{\"done\":true}\r", "{\"done\":true}", NULL);
  CHECK_NDJSON ("{\"a\":1}\n  \r", "{\"a\":1}", NULL);
  CHECK_NDJSON ("", NULL);
}

static void
count_line (const char *line,
            gsize       len,
            gpointer    user_data)
{
  guint *n = user_data;

  (*n)++;
}

static void
test_unterminated_waits_for_finish (void)
{
  g_autoptr(ConfabNdjsonDecoder) decoder = NULL;
  guint n = 0;

  decoder = confab_ndjson_decoder_new (count_line, &n, NULL);
  confab_ndjson_decoder_feed (decoder, "{\"a\":", 5);
  g_assert_cmpuint (n, ==, 0);
  confab_ndjson_decoder_feed (decoder, "1}\r", 3);
  g_assert_cmpuint (n, ==, 0);
  confab_ndjson_decoder_feed (decoder, "\n{\"b\"", 5);
  g_assert_cmpuint (n, ==, 1);
  confab_ndjson_decoder_finish (decoder);
  g_assert_cmpuint (n, ==, 2);

  /* finish() leaves nothing behind for a second call. */
  confab_ndjson_decoder_finish (decoder);
  g_assert_cmpuint (n, ==, 2);
  confab_ndjson_decoder_feed (decoder, "{}\n", 3);
  g_assert_cmpuint (n, ==, 3);
}

static void
test_invalid_utf8_replaced (void)
{
  CHECK_NDJSON ("{\"a\":\"caf\xE9\"}\n", "{\"a\":\"caf\xEF\xBF\xBD\"}", NULL);
  CHECK_NDJSON ("{\"a\":\"\xFF" "b\"}", "{\"a\":\"\xEF\xBF\xBD" "b\"}", NULL);
}

static void
test_nul_replaced (void)
{
  CHECK_NDJSON ("{\"a\":\"x\0y\"}\n", "{\"a\":\"x\xEF\xBF\xBDy\"}", NULL);
}

static void
test_utf8_split (void)
{
  /* check_ndjson() splits inside every character; each arrives whole. */
  CHECK_NDJSON ("{\"message\":{\"content\":\"日本語 😀 известни\"}}\n"
                "{\"message\":{\"content\":\"a\xE2\x80\xA8" "b\xC2\x85" "c\"}}\n",
                "{\"message\":{\"content\":\"日本語 😀 известни\"}}",
                "{\"message\":{\"content\":\"a\xE2\x80\xA8" "b\xC2\x85" "c\"}}",
                NULL);
}

static void
test_ollama_stream (void)
{
  CHECK_NDJSON ("{\"model\":\"llama3\",\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},"
                "\"done\":false}\n"
                "{\"error\":\"model not found\"}\n"
                "{\"model\":\"llama3\",\"done\":true,\"eval_count\":2}\n",
                "{\"model\":\"llama3\",\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},"
                "\"done\":false}",
                "{\"error\":\"model not found\"}",
                "{\"model\":\"llama3\",\"done\":true,\"eval_count\":2}",
                NULL);
}

typedef struct
{
  guint  n_lines;
  gsize  len;
  char  *line;
} BigRecorder;

static void
record_big_line (const char *line,
                 gsize       len,
                 gpointer    user_data)
{
  BigRecorder *rec = user_data;

  rec->n_lines++;
  rec->len = len;
  g_free (rec->line);
  rec->line = g_strndup (line, len);
}

static void
test_large_single_line (void)
{
  const gsize payload_len = 10 * 1024 * 1024;
  const gsize piece = 16 * 1024;
  g_autoptr(ConfabNdjsonDecoder) decoder = NULL;
  g_autoptr(GString) input = g_string_sized_new (payload_len + 32);
  BigRecorder rec = { 0 };

  g_string_append (input, "{\"content\":\"");
  while (input->len < payload_len - 2)
    g_string_append_c (input, 'a' + input->len % 23);
  g_string_append (input, "\"}");
  g_assert_cmpuint (input->len, ==, payload_len);
  g_string_append (input, "\r\n{}\n");

  decoder = confab_ndjson_decoder_new (record_big_line, &rec, NULL);
  for (gsize off = 0; off < input->len; off += piece)
    confab_ndjson_decoder_feed (decoder, input->str + off, MIN (piece, input->len - off));
  g_assert_cmpuint (rec.n_lines, ==, 2);
  confab_ndjson_decoder_finish (decoder);

  g_assert_cmpuint (rec.n_lines, ==, 2);
  g_assert_cmpstr (rec.line, ==, "{}");

  /* Once more with the big line last and delivered by finish(). */
  g_clear_object (&decoder);
  rec.n_lines = 0;
  decoder = confab_ndjson_decoder_new (record_big_line, &rec, NULL);
  for (gsize off = 0; off < payload_len; off += piece)
    confab_ndjson_decoder_feed (decoder, input->str + off, MIN (piece, payload_len - off));
  g_assert_cmpuint (rec.n_lines, ==, 0);
  confab_ndjson_decoder_finish (decoder);

  g_assert_cmpuint (rec.n_lines, ==, 1);
  g_assert_cmpuint (rec.len, ==, payload_len);
  g_assert_true (memcmp (rec.line, input->str, payload_len) == 0);

  g_free (rec.line);
}

static void
test_many_lines_one_feed (void)
{
  const guint n_lines = 200000;
  g_autoptr(ConfabNdjsonDecoder) decoder = NULL;
  g_autoptr(GString) input = g_string_new (NULL);
  guint n = 0;

  for (guint i = 0; i < n_lines; i++)
    g_string_append (input, "{\"done\":false}\n");

  decoder = confab_ndjson_decoder_new (count_line, &n, NULL);
  confab_ndjson_decoder_feed (decoder, input->str, input->len);
  g_assert_cmpuint (n, ==, n_lines);
}

static void
count_destroy (gpointer data)
{
  guint *n = data;

  (*n)++;
}

static void
test_destroy_notify (void)
{
  ConfabNdjsonDecoder *decoder;
  guint n = 0;

  decoder = confab_ndjson_decoder_new (count_line, &n, count_destroy);
  g_assert_true (CONFAB_IS_NDJSON_DECODER (decoder));
  g_assert_cmpuint (n, ==, 0);
  g_object_unref (decoder);
  g_assert_cmpuint (n, ==, 1);
}

typedef struct
{
  ConfabNdjsonDecoder *decoder;
  guint                n_lines;
} DropRecorder;

static void
drop_decoder (const char *line,
              gsize       len,
              gpointer    user_data)
{
  DropRecorder *rec = user_data;

  rec->n_lines++;
  g_clear_object (&rec->decoder);
}

static void
test_unref_in_callback (void)
{
  DropRecorder rec = { NULL, 0 };
  ConfabNdjsonDecoder *decoder;

  decoder = confab_ndjson_decoder_new (drop_decoder, &rec, NULL);
  rec.decoder = decoder;
  g_object_add_weak_pointer (G_OBJECT (decoder), (gpointer *) &decoder);

  confab_ndjson_decoder_feed (decoder, "{}\n{}\n", 6);
  g_assert_cmpuint (rec.n_lines, ==, 2);
  g_assert_null (rec.decoder);
  g_assert_null (decoder);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ndjson-decoder/lf-lines", test_lf_lines);
  g_test_add_func ("/ndjson-decoder/crlf-lines", test_crlf_lines);
  g_test_add_func ("/ndjson-decoder/lone-cr-not-line-end", test_lone_cr_not_line_end);
  g_test_add_func ("/ndjson-decoder/blank-lines-skipped", test_blank_lines_skipped);
  g_test_add_func ("/ndjson-decoder/surrounding-blanks-trimmed", test_surrounding_blanks_trimmed);
  g_test_add_func ("/ndjson-decoder/finish/delivers-last-line", test_finish_delivers_last_line);
  g_test_add_func ("/ndjson-decoder/finish/unterminated-waits",
                   test_unterminated_waits_for_finish);
  g_test_add_func ("/ndjson-decoder/utf8/invalid-replaced", test_invalid_utf8_replaced);
  g_test_add_func ("/ndjson-decoder/utf8/nul-replaced", test_nul_replaced);
  g_test_add_func ("/ndjson-decoder/utf8/split", test_utf8_split);
  g_test_add_func ("/ndjson-decoder/provider/ollama", test_ollama_stream);
  g_test_add_func ("/ndjson-decoder/large-single-line", test_large_single_line);
  g_test_add_func ("/ndjson-decoder/many-lines-one-feed", test_many_lines_one_feed);
  g_test_add_func ("/ndjson-decoder/destroy-notify", test_destroy_notify);
  g_test_add_func ("/ndjson-decoder/unref-in-callback", test_unref_in_callback);

  return g_test_run ();
}
