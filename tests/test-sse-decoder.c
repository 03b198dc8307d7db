/* test-sse-decoder.c: WHATWG text/event-stream conformance of ConfabSseDecoder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-sse-decoder.h"

#include <string.h>

typedef struct
{
  const char *type;
  const char *data;
  gsize       data_len;
  const char *id;
} Ev;

/* Expected events are written as EV (type, data, id), ending with END;
 * sizeof keeps NUL bytes inside @data. */
#define EV(type, data, id) { (type), (data), sizeof (data) - 1, (id) }
#define END { NULL, NULL, 0, NULL }

#define CHECK_SSE(input, retry, last_id, ...)                           \
  G_STMT_START {                                                        \
    static const Ev expected_[] = { __VA_ARGS__ };                      \
    check_sse ((input), sizeof (input) - 1, (retry), (last_id), expected_); \
  } G_STMT_END

typedef struct
{
  ConfabSseDecoder *decoder;
  GString          *log;
  guint             n_events;
} Recorder;

static void
append_escaped (GString    *out,
                const char *bytes,
                gsize       len)
{
  for (gsize i = 0; i < len; i++)
    {
      guchar c = bytes[i];

      if (c >= 0x20 && c < 0x7F && c != '\\' && c != '|')
        g_string_append_c (out, c);
      else
        g_string_append_printf (out, "\\x%02X", c);
    }
}

static void
append_event (GString    *out,
              const char *type,
              const char *data,
              gsize       data_len,
              const char *id)
{
  g_string_append_c (out, '[');
  append_escaped (out, type, strlen (type));
  g_string_append_c (out, '|');
  append_escaped (out, id, strlen (id));
  g_string_append_c (out, '|');
  append_escaped (out, data, data_len);
  g_string_append (out, "]\n");
}

/* Valid UTF-8 where NUL bytes count as ordinary characters. */
static gboolean
is_valid_utf8_with_nuls (const char *str,
                         gsize       len)
{
  const char *p = str;
  const char *end = str + len;

  while (p < end)
    {
      const char *stop;

      if (g_utf8_validate (p, end - p, &stop))
        return TRUE;
      if (*stop != '\0')
        return FALSE;
      p = stop + 1;
    }

  return TRUE;
}

static void
record_event (const ConfabSseEvent *event,
              gpointer              user_data)
{
  Recorder *rec = user_data;

  g_assert_nonnull (event->type);
  g_assert_nonnull (event->data);
  g_assert_nonnull (event->last_event_id);
  g_assert_cmpint (strlen (event->type), >, 0);
  g_assert_cmpint (event->data[event->data_len], ==, '\0');
  g_assert_true (is_valid_utf8_with_nuls (event->data, event->data_len));
  g_assert_true (g_utf8_validate (event->type, -1, NULL));
  g_assert_true (g_utf8_validate (event->last_event_id, -1, NULL));
  g_assert_cmpstr (event->last_event_id, ==,
                   confab_sse_decoder_get_last_event_id (rec->decoder));

  append_event (rec->log, event->type, event->data, event->data_len, event->last_event_id);
  rec->n_events++;
}

static void
append_final_state (GString    *out,
                    gint64      retry,
                    const char *last_id)
{
  g_string_append_printf (out, "retry=%" G_GINT64_FORMAT " last-id=", retry);
  append_escaped (out, last_id, strlen (last_id));
}

/* Feeds @first bytes, then the rest in pieces of @step, then finishes.
 * Returns the events and the final state, formatted. */
static char *
decode_in_pieces (const char *input,
                  gsize       len,
                  gsize       first,
                  gsize       step)
{
  g_autoptr(ConfabSseDecoder) decoder = NULL;
  Recorder rec = { NULL, g_string_new (NULL), 0 };

  decoder = confab_sse_decoder_new (record_event, &rec, NULL);
  rec.decoder = decoder;

  confab_sse_decoder_feed (decoder, input, first);
  for (gsize off = first; off < len; off += step)
    confab_sse_decoder_feed (decoder, input + off, MIN (step, len - off));
  confab_sse_decoder_finish (decoder);

  g_assert_cmpuint (confab_sse_decoder_get_pending_size (decoder), ==, 0);
  append_final_state (rec.log,
                      confab_sse_decoder_get_retry (decoder),
                      confab_sse_decoder_get_last_event_id (decoder));

  return g_string_free (rec.log, FALSE);
}

/* Runs @input fed whole, byte by byte, and split in two at every offset, and
 * compares each run's events and final state with @expected. */
static void
check_sse (const char *input,
           gsize       len,
           gint64      retry,
           const char *last_id,
           const Ev   *expected)
{
  g_autoptr(GString) want = g_string_new (NULL);
  g_autofree char *whole = NULL;
  g_autofree char *bytewise = NULL;

  for (const Ev *ev = expected; ev->type != NULL; ev++)
    append_event (want, ev->type, ev->data, ev->data_len, ev->id);
  append_final_state (want, retry, last_id);

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

/* Spec examples (WHATWG HTML §9.2.6) */

static void
test_spec_stock_ticker (void)
{
  CHECK_SSE ("data: YHOO\ndata: +2\ndata: 10\n\n", -1, "",
             EV ("message", "YHOO\n+2\n10", ""), END);
}

static void
test_spec_four_blocks (void)
{
  CHECK_SSE (": test stream\n"
             "\n"
             "data: first event\n"
             "id: 1\n"
             "\n"
             "data:second event\n"
             "id\n"
             "\n"
             "data:  third event\n"
             "\n",
             -1, "",
             EV ("message", "first event", "1"),
             EV ("message", "second event", ""),
             EV ("message", " third event", ""),
             END);
}

static void
test_spec_empty_data (void)
{
  /* The last block has no blank line after it, so it is discarded. */
  CHECK_SSE ("data\n\ndata\ndata\n\ndata:", -1, "",
             EV ("message", "", ""),
             EV ("message", "\n", ""),
             END);
}

static void
test_spec_space_optional (void)
{
  CHECK_SSE ("data:test\n\ndata: test\n\n", -1, "",
             EV ("message", "test", ""),
             EV ("message", "test", ""),
             END);
}

/* 1.4 item 1: byte order mark */

static void
test_bom_stripped (void)
{
  CHECK_SSE ("\xEF\xBB\xBF" "data: x\n\n", -1, "",
             EV ("message", "x", ""), END);
}

static void
test_bom_only_one (void)
{
  /* The second BOM is the start of the field name "\uFEFFdata". */
  CHECK_SSE ("\xEF\xBB\xBF\xEF\xBB\xBF" "data: x\n\ndata: y\n\n", -1, "",
             EV ("message", "y", ""), END);
}

static void
test_bom_mid_stream (void)
{
  CHECK_SSE ("data: x\n\n\xEF\xBB\xBF" "data: y\n\n"
             "\xEF\xBB\xBF" "event: z\ndata: w\n\n",
             -1, "",
             EV ("message", "x", ""),
             EV ("message", "w", ""),
             END);
}

static void
test_bom_partial (void)
{
  /* A BOM prefix that is not a BOM stays in the line: the field names
   * "\xEF\xBB" and "\xEF" are unknown, and ":\xEF..." is a comment only
   * without the prefix. */
  CHECK_SSE ("\xEF\xBB" "data: x\n\ndata: y\n\n", -1, "",
             EV ("message", "y", ""), END);
  CHECK_SSE ("\xEF" "data: x\n\ndata: y\n\n", -1, "",
             EV ("message", "y", ""), END);
  CHECK_SSE ("\xEF\xBB\n\ndata: y\n\n", -1, "",
             EV ("message", "y", ""), END);
}

static void
test_bom_with_bom_value (void)
{
  /* A BOM after the first character is ordinary data. */
  CHECK_SSE ("\xEF\xBB\xBF" "data: \xEF\xBB\xBF" "x\n\n", -1, "",
             EV ("message", "\xEF\xBB\xBF" "x", ""), END);
}

/* 1.4 item 2: line ends */

static void
test_line_ends_lf_cr_crlf (void)
{
  CHECK_SSE ("data: a\rdata: b\r\r", -1, "",
             EV ("message", "a\nb", ""), END);
  CHECK_SSE ("data: a\r\ndata: b\r\n\r\n", -1, "",
             EV ("message", "a\nb", ""), END);
  CHECK_SSE ("data: a\ndata: b\n\n", -1, "",
             EV ("message", "a\nb", ""), END);
}

static void
test_line_ends_mixed (void)
{
  /* LF CR is two line ends, CR LF is one. */
  CHECK_SSE ("data: a\n\rdata: b\r\n\ndata: c\r\r\ndata: d\n\r\n", -1, "",
             EV ("message", "a", ""),
             EV ("message", "b", ""),
             EV ("message", "c", ""),
             EV ("message", "d", ""),
             END);
  CHECK_SSE ("data: a\r\r\r\rdata: b\n\n\n", -1, "",
             EV ("message", "a", ""),
             EV ("message", "b", ""),
             END);
}

static void
feed_str (ConfabSseDecoder *decoder,
          const char       *str)
{
  confab_sse_decoder_feed (decoder, str, strlen (str));
}

static void
count_event (const ConfabSseEvent *event,
             gpointer              user_data)
{
  guint *n = user_data;

  (*n)++;
}

static void
test_line_ends_cr_lf_split (void)
{
  g_autoptr(ConfabSseDecoder) decoder = NULL;
  guint n = 0;

  decoder = confab_sse_decoder_new (count_event, &n, NULL);

  /* The CR ends "data: a"; the LF of the next feed must not count as a
   * blank line, or "a" would be dispatched alone. */
  feed_str (decoder, "data: a\r");
  g_assert_cmpuint (n, ==, 0);
  feed_str (decoder, "\n");
  g_assert_cmpuint (n, ==, 0);
  feed_str (decoder, "data: b\r");
  g_assert_cmpuint (n, ==, 0);
  feed_str (decoder, "\ndata: c\r");
  g_assert_cmpuint (n, ==, 0);
  feed_str (decoder, "\n\r");
  g_assert_cmpuint (n, ==, 1);
  feed_str (decoder, "\n");
  g_assert_cmpuint (n, ==, 1);
  feed_str (decoder, "\r");
  g_assert_cmpuint (n, ==, 1);
  confab_sse_decoder_finish (decoder);
  g_assert_cmpuint (n, ==, 1);

  CHECK_SSE ("data: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n", -1, "",
             EV ("message", "a\nb", ""),
             EV ("message", "c", ""),
             END);
}

static void
test_line_ends_lone_cr_at_eof (void)
{
  /* A CR is a complete line end, also when the stream stops after it. */
  CHECK_SSE ("data: a\r\r", -1, "", EV ("message", "a", ""), END);
  CHECK_SSE ("data: a\r", -1, "", END);
  CHECK_SSE ("data: a\n\r", -1, "", EV ("message", "a", ""), END);
}

/* 1.4 item 3: data buffer */

static void
test_data_no_colon (void)
{
  CHECK_SSE ("data\ndata\n\n", -1, "", EV ("message", "\n", ""), END);
  CHECK_SSE ("data\n\n", -1, "", EV ("message", "", ""), END);
}

static void
test_data_empty_value (void)
{
  CHECK_SSE ("data:\n\n", -1, "", EV ("message", "", ""), END);
  CHECK_SSE ("data: \n\n", -1, "", EV ("message", "", ""), END);
}

static void
test_data_final_lf_removed_once (void)
{
  CHECK_SSE ("data: a\ndata:\n\n", -1, "", EV ("message", "a\n", ""), END);
  CHECK_SSE ("data: a\ndata\ndata\n\n", -1, "", EV ("message", "a\n\n", ""), END);
}

static void
test_data_multi_line (void)
{
  CHECK_SSE ("event: ping\n"
             "data: {\n"
             "data: \"foo\":\n"
             "data: \n"
             "data:\n"
             "data: true}\n"
             "\n\n",
             -1, "",
             EV ("ping", "{\n\"foo\":\n\n\ntrue}", ""),
             END);
}

/* 1.4 item 4: one space */

static void
test_space_one_stripped (void)
{
  CHECK_SSE ("data:  x\n\n", -1, "", EV ("message", " x", ""), END);
  CHECK_SSE ("data:   \n\n", -1, "", EV ("message", "  ", ""), END);
  CHECK_SSE ("data: x \n\n", -1, "", EV ("message", "x ", ""), END);
}

static void
test_space_tab_kept (void)
{
  CHECK_SSE ("data:\tx\n\n", -1, "", EV ("message", "\tx", ""), END);
  CHECK_SSE ("event:\tx\ndata: y\n\n", -1, "", EV ("\tx", "y", ""), END);
}

/* 1.4 item 5: field names */

static void
test_field_case_sensitive (void)
{
  CHECK_SSE ("Data: x\nDATA: y\nEvent: e\nID: 1\nRetry: 5\ndata: z\n\n", -1, "",
             EV ("message", "z", ""), END);
}

static void
test_field_leading_space (void)
{
  CHECK_SSE (" data: x\n\ndata : y\n\ndata: z\n\n", -1, "",
             EV ("message", "z", ""), END);
}

static void
test_field_unknown (void)
{
  CHECK_SSE ("foo: bar\ndata: x\nbaz\n\n", -1, "",
             EV ("message", "x", ""), END);
}

static void
test_field_first_colon_splits (void)
{
  CHECK_SSE ("data: a:b: c\n\ndata::x\n\n", -1, "",
             EV ("message", "a:b: c", ""),
             EV ("message", ":x", ""),
             END);
}

/* 1.4 item 6: comments */

static void
test_comment_ignored (void)
{
  CHECK_SSE (":\n: keep-alive\n:data: x\n\n: OPENROUTER PROCESSING\n\ndata: y\n\n",
             -1, "",
             EV ("message", "y", ""), END);
}

static void
test_comment_nul_and_long (void)
{
  g_autoptr(GString) input = g_string_new (NULL);
  static const Ev expected[] = { EV ("message", "y", ""), END };

  g_string_append_len (input, ": a\0b\n", 6);
  g_string_append_c (input, ':');
  for (guint i = 0; i < 2100; i++)
    g_string_append_c (input, 'a' + i % 26);
  g_string_append (input, "\n\ndata: y\n:\n\n");

  check_sse (input->str, input->len, -1, "", expected);
}

/* 1.4 item 7: empty data buffer */

static void
test_empty_data_no_dispatch (void)
{
  CHECK_SSE ("\n\n\n", -1, "", END);
  CHECK_SSE ("event: foo\n\ndata: x\n\n", -1, "",
             EV ("message", "x", ""), END);
}

static void
test_event_ping_without_data (void)
{
  /* Unlike the OpenAI SDKs, a data-less block is not surfaced. */
  CHECK_SSE ("event: ping\n\n", -1, "", END);
  CHECK_SSE ("event: ping\n\nevent: completion\n\n", -1, "", END);
  CHECK_SSE ("event: ping\n\nevent: completion\ndata: {\"foo\":true}\n\n", -1, "",
             EV ("completion", "{\"foo\":true}", ""), END);
}

/* 1.4 item 8: event type */

static void
test_event_type_resets (void)
{
  CHECK_SSE ("event: delta\ndata: a\n\ndata: b\n\n", -1, "",
             EV ("delta", "a", ""),
             EV ("message", "b", ""),
             END);
}

static void
test_event_type_empty (void)
{
  CHECK_SSE ("event: \ndata: a\n\nevent\ndata: b\n\nevent: x\nevent:\ndata: c\n\n", -1, "",
             EV ("message", "a", ""),
             EV ("message", "b", ""),
             EV ("message", "c", ""),
             END);
}

static void
test_event_type_last_wins (void)
{
  CHECK_SSE ("event: a\ndata: x\nevent: b\n\n", -1, "",
             EV ("b", "x", ""), END);
}

/* 1.4 item 9: id */

static void
test_id_persists (void)
{
  CHECK_SSE ("id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n", -1, "2",
             EV ("message", "a", "1"),
             EV ("message", "b", "1"),
             EV ("message", "c", "2"),
             END);
}

static void
test_id_reset (void)
{
  CHECK_SSE ("id: 1\ndata: a\n\nid\ndata: b\n\nid: 2\ndata: c\n\nid:\ndata: d\n\n", -1, "",
             EV ("message", "a", "1"),
             EV ("message", "b", ""),
             EV ("message", "c", "2"),
             EV ("message", "d", ""),
             END);
}

static void
test_id_with_nul_ignored (void)
{
  CHECK_SSE ("id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n", -1, "1",
             EV ("message", "a", "1"),
             EV ("message", "b", "1"),
             END);
}

static void
test_id_without_data (void)
{
  /* The last event ID string is set even when nothing is dispatched. */
  CHECK_SSE ("id: 7\n\n", -1, "7", END);
  CHECK_SSE ("id: 7\n\ndata: a\n\n", -1, "7", EV ("message", "a", "7"), END);
}

static void
test_id_invalid_utf8 (void)
{
  CHECK_SSE ("id: a\xFF" "b\ndata: x\n\n", -1, "a\xEF\xBF\xBD" "b",
             EV ("message", "x", "a\xEF\xBF\xBD" "b"), END);
}

/* 1.4 item 10: retry */

static void
test_retry_valid (void)
{
  CHECK_SSE ("retry: 1000\n", 1000, "", END);
  CHECK_SSE ("retry: 02000\n", 2000, "", END);
  CHECK_SSE ("retry:0\n", 0, "", END);
  CHECK_SSE ("retry: 1000\nretry: 3000\n\n", 3000, "", END);
  CHECK_SSE ("retry: 99999999999999999999999999\n", G_MAXINT64, "", END);
}

static void
test_retry_invalid (void)
{
  CHECK_SSE ("retry: 1000x\n", -1, "", END);
  CHECK_SSE ("retry: +5\n", -1, "", END);
  CHECK_SSE ("retry: -1\n", -1, "", END);
  CHECK_SSE ("retry:  5\n", -1, "", END);
  CHECK_SSE ("retry: 5 \n", -1, "", END);
  CHECK_SSE ("retry: \n", -1, "", END);
  CHECK_SSE ("retry\n", -1, "", END);
  CHECK_SSE ("retry: 1.5\n", -1, "", END);
  CHECK_SSE ("retry: 0x10\n", -1, "", END);
  /* An invalid value keeps the previous one. */
  CHECK_SSE ("retry: 500\nretry: 7s\n", 500, "", END);
}

static void
test_retry_default (void)
{
  g_autoptr(ConfabSseDecoder) decoder = NULL;
  guint n = 0;

  decoder = confab_sse_decoder_new (count_event, &n, NULL);
  g_assert_cmpint (confab_sse_decoder_get_retry (decoder), ==, -1);
  g_assert_cmpstr (confab_sse_decoder_get_last_event_id (decoder), ==, "");
  g_assert_cmpuint (confab_sse_decoder_get_pending_size (decoder), ==, 0);

  /* Retry applies at once, without waiting for a dispatch. */
  feed_str (decoder, "retry: 250\n");
  g_assert_cmpint (confab_sse_decoder_get_retry (decoder), ==, 250);
  g_assert_cmpuint (n, ==, 0);
}

/* 1.4 item 11: NUL in data */

static void
test_nul_in_data (void)
{
  CHECK_SSE ("data: a\0b\ndata: \0\n\n", -1, "",
             EV ("message", "a\0b\n\0", ""), END);
  /* A C string cannot hold it, so a NUL in the type is replaced. */
  CHECK_SSE ("event: t\0u\ndata: x\n\n", -1, "",
             EV ("t\xEF\xBF\xBDu", "x", ""), END);
}

/* 1.4 item 12: end of stream */

static void
test_eof_discards_unterminated (void)
{
  CHECK_SSE ("data: a\n\ndata: b\n", -1, "", EV ("message", "a", ""), END);
  CHECK_SSE ("data: a\n\ndata: b", -1, "", EV ("message", "a", ""), END);
  CHECK_SSE ("data: a", -1, "", END);
}

static void
test_eof_discards_id (void)
{
  CHECK_SSE ("id: 1\ndata: a\n\nid: 2\ndata: b\n", -1, "1",
             EV ("message", "a", "1"), END);
  CHECK_SSE ("id: 1\ndata: a\n\nid: 2\n", -1, "1",
             EV ("message", "a", "1"), END);
}

static void
test_finish_resets (void)
{
  g_autoptr(ConfabSseDecoder) decoder = NULL;
  guint n = 0;

  decoder = confab_sse_decoder_new (count_event, &n, NULL);
  feed_str (decoder, "\xEF\xBB\xBFid: 3\ndata: a\n\nid: 4\nevent: e\ndata: b\r");
  g_assert_cmpuint (n, ==, 1);
  confab_sse_decoder_finish (decoder);
  g_assert_cmpuint (confab_sse_decoder_get_pending_size (decoder), ==, 0);
  g_assert_cmpstr (confab_sse_decoder_get_last_event_id (decoder), ==, "3");

  /* A new stream: its own BOM, no LF skipped after the old CR, no type or
   * data carried over, and the old pending id forgotten. */
  feed_str (decoder, "\xEF\xBB\xBF\n");
  g_assert_cmpuint (n, ==, 1);
  feed_str (decoder, "data: c\n\n");
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpstr (confab_sse_decoder_get_last_event_id (decoder), ==, "3");
}

/* 1.4 item 13: UTF-8 */

static void
test_utf8_invalid_replaced (void)
{
  /* Latin-1 despite any charset parameter: always decoded as UTF-8. */
  CHECK_SSE ("data: caf\xE9\n\n", -1, "",
             EV ("message", "caf\xEF\xBF\xBD", ""), END);
  /* One U+FFFD per maximal subpart, as the WHATWG decoder does. */
  CHECK_SSE ("data: a\xE6\x97" "b\xF0\x9F\x98" "c\xFF" "d\n\n", -1, "",
             EV ("message", "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\xEF\xBF\xBD" "d", ""), END);
  CHECK_SSE ("data: \xC0\xAF\xED\xA0\x80\n\n", -1, "",
             EV ("message",
                 "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", ""),
             END);
  CHECK_SSE ("data: \xE6\x97\n\n", -1, "",
             EV ("message", "\xEF\xBF\xBD", ""), END);
}

static void
test_utf8_invalid_with_nul (void)
{
  CHECK_SSE ("data: \xFF\0\xE6\x97\xA5\0\xE6\n\n", -1, "",
             EV ("message", "\xEF\xBF\xBD\0\xE6\x97\xA5\0\xEF\xBF\xBD", ""), END);
}

static void
test_utf8_invalid_type (void)
{
  CHECK_SSE ("event: \xFEx\ndata: a\n\n", -1, "",
             EV ("\xEF\xBF\xBDx", "a", ""), END);
}

static void
test_utf8_multibyte_split (void)
{
  /* The splits in check_sse() cut every character; each must come out
   * whole. */
  CHECK_SSE ("data: {\"content\":\"известни\"}\n\n"
             "data: 日本語 😀\n\n",
             -1, "",
             EV ("message", "{\"content\":\"известни\"}", ""),
             EV ("message", "日本語 😀", ""),
             END);
}

/* 1.4 item 14: Unicode line separators */

static void
test_unicode_separators_not_line_ends (void)
{
  CHECK_SSE ("data: {\"content\":\" culpa\"}\n\n"
             "data: {\"content\":\" \xE2\x80\xA8\"}\n\n"
             "data: a\xE2\x80\xA9" "b\xC2\x85" "c\x0B" "d\x0C" "e\n\n",
             -1, "",
             EV ("message", "{\"content\":\" culpa\"}", ""),
             EV ("message", "{\"content\":\" \xE2\x80\xA8\"}", ""),
             EV ("message", "a\xE2\x80\xA9" "b\xC2\x85" "c\x0B" "d\x0C" "e", ""),
             END);
}

/* Provider-shaped streams */

static void
test_openai_stream (void)
{
  CHECK_SSE (": keep-alive\n\n"
             "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n"
             "data: {\"choices\":[]}\n\n"
             "data: [DONE]\n\n",
             -1, "",
             EV ("message", "{\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}", ""),
             EV ("message", "{\"choices\":[]}", ""),
             EV ("message", "[DONE]", ""),
             END);
}

static void
test_anthropic_stream (void)
{
  CHECK_SSE ("event: message_start\r\ndata: {\"type\":\"message_start\"}\r\n\r\n"
             "event: ping\r\ndata: {\"type\": \"ping\"}\r\n\r\n"
             "event: message_stop\r\ndata: {\"type\":\"message_stop\"}\r\n\r\n",
             -1, "",
             EV ("message_start", "{\"type\":\"message_start\"}", ""),
             EV ("ping", "{\"type\": \"ping\"}", ""),
             EV ("message_stop", "{\"type\":\"message_stop\"}", ""),
             END);
}

/* Memory and speed */

static void
test_pending_size (void)
{
  g_autoptr(ConfabSseDecoder) decoder = NULL;
  guint n = 0;

  decoder = confab_sse_decoder_new (count_event, &n, NULL);

  feed_str (decoder, "\xEF\xBB");
  g_assert_cmpuint (confab_sse_decoder_get_pending_size (decoder), ==, 2);
  feed_str (decoder, "\xBF");
  g_assert_cmpuint (confab_sse_decoder_get_pending_size (decoder), ==, 0);

  feed_str (decoder, "data: abc");
  g_assert_cmpuint (confab_sse_decoder_get_pending_size (decoder), ==, 9);
  feed_str (decoder, "def");
  g_assert_cmpuint (confab_sse_decoder_get_pending_size (decoder), ==, 12);

  /* The line moves into the data buffer as "abcdef\n". */
  feed_str (decoder, "\ndata: g\n");
  g_assert_cmpuint (confab_sse_decoder_get_pending_size (decoder), ==, 9);
  feed_str (decoder, "eve");
  g_assert_cmpuint (confab_sse_decoder_get_pending_size (decoder), ==, 12);
  feed_str (decoder, "nt: x\n");
  g_assert_cmpuint (confab_sse_decoder_get_pending_size (decoder), ==, 9);

  feed_str (decoder, "\n");
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (confab_sse_decoder_get_pending_size (decoder), ==, 0);

  feed_str (decoder, "data: z\n");
  g_assert_cmpuint (confab_sse_decoder_get_pending_size (decoder), ==, 2);
  confab_sse_decoder_finish (decoder);
  g_assert_cmpuint (confab_sse_decoder_get_pending_size (decoder), ==, 0);
  g_assert_cmpuint (n, ==, 1);
}

typedef struct
{
  guint  n_events;
  gsize  data_len;
  char  *data;
  char  *type;
} BigRecorder;

static void
record_big_event (const ConfabSseEvent *event,
                  gpointer              user_data)
{
  BigRecorder *rec = user_data;

  rec->n_events++;
  rec->data_len = event->data_len;
  g_free (rec->data);
  rec->data = g_memdup2 (event->data, event->data_len + 1);
  g_free (rec->type);
  rec->type = g_strdup (event->type);
}

static void
test_large_single_line (void)
{
  const gsize payload_len = 10 * 1024 * 1024;
  const gsize piece = 16 * 1024;
  g_autoptr(ConfabSseDecoder) decoder = NULL;
  g_autoptr(GString) input = g_string_sized_new (payload_len + 64);
  BigRecorder rec = { 0 };
  gsize prefix_len;

  g_string_append (input, "event: big\ndata: ");
  prefix_len = input->len;
  for (gsize i = 0; i < payload_len; i++)
    g_string_append_c (input, 'a' + i % 23);
  g_string_append (input, "\r\n\r\n");

  decoder = confab_sse_decoder_new (record_big_event, &rec, NULL);
  for (gsize off = 0; off < input->len; off += piece)
    {
      gsize len = MIN (piece, input->len - off);

      confab_sse_decoder_feed (decoder, input->str + off, len);
      if (off + len < prefix_len + payload_len)
        g_assert_cmpuint (confab_sse_decoder_get_pending_size (decoder), ==,
                          off + len - strlen ("event: big\n"));
    }
  confab_sse_decoder_finish (decoder);

  g_assert_cmpuint (rec.n_events, ==, 1);
  g_assert_cmpstr (rec.type, ==, "big");
  g_assert_cmpuint (rec.data_len, ==, payload_len);
  g_assert_true (memcmp (rec.data, input->str + prefix_len, payload_len) == 0);
  g_assert_cmpuint (confab_sse_decoder_get_pending_size (decoder), ==, 0);

  g_free (rec.data);
  g_free (rec.type);
}

static void
test_many_lines_one_feed (void)
{
  const guint n_events = 200000;
  g_autoptr(ConfabSseDecoder) decoder = NULL;
  g_autoptr(GString) input = g_string_new (NULL);
  guint n = 0;

  /* No CR anywhere: finding the line ends must not rescan the rest of the
   * chunk for a CR on every line. */
  for (guint i = 0; i < n_events; i++)
    g_string_append (input, "data: {\"x\":1}\n\n");

  decoder = confab_sse_decoder_new (count_event, &n, NULL);
  confab_sse_decoder_feed (decoder, input->str, input->len);
  g_assert_cmpuint (n, ==, n_events);
}

/* Object lifetime */

static void
count_destroy (gpointer data)
{
  guint *n = data;

  (*n)++;
}

static void
test_destroy_notify (void)
{
  ConfabSseDecoder *decoder;
  guint n = 0;

  decoder = confab_sse_decoder_new (count_event, &n, count_destroy);
  g_assert_true (CONFAB_IS_SSE_DECODER (decoder));
  g_assert_cmpuint (n, ==, 0);
  g_object_unref (decoder);
  g_assert_cmpuint (n, ==, 1);
}

typedef struct
{
  ConfabSseDecoder *decoder;
  guint             n_events;
} DropRecorder;

static void
drop_decoder (const ConfabSseEvent *event,
              gpointer              user_data)
{
  DropRecorder *rec = user_data;

  rec->n_events++;
  g_clear_object (&rec->decoder);
}

static void
test_unref_in_callback (void)
{
  DropRecorder rec = { NULL, 0 };
  ConfabSseDecoder *decoder;

  decoder = confab_sse_decoder_new (drop_decoder, &rec, NULL);
  rec.decoder = decoder;
  g_object_add_weak_pointer (G_OBJECT (decoder), (gpointer *) &decoder);

  /* The feed completes with the decoder alive, then the last reference
   * goes. */
  feed_str (decoder, "data: a\n\ndata: b\n\n");
  g_assert_cmpuint (rec.n_events, ==, 2);
  g_assert_null (rec.decoder);
  g_assert_null (decoder);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sse-decoder/spec/stock-ticker", test_spec_stock_ticker);
  g_test_add_func ("/sse-decoder/spec/four-blocks", test_spec_four_blocks);
  g_test_add_func ("/sse-decoder/spec/empty-data", test_spec_empty_data);
  g_test_add_func ("/sse-decoder/spec/space-optional", test_spec_space_optional);
  g_test_add_func ("/sse-decoder/bom/stripped", test_bom_stripped);
  g_test_add_func ("/sse-decoder/bom/only-one", test_bom_only_one);
  g_test_add_func ("/sse-decoder/bom/mid-stream", test_bom_mid_stream);
  g_test_add_func ("/sse-decoder/bom/partial", test_bom_partial);
  g_test_add_func ("/sse-decoder/bom/in-value", test_bom_with_bom_value);
  g_test_add_func ("/sse-decoder/line-ends/lf-cr-crlf", test_line_ends_lf_cr_crlf);
  g_test_add_func ("/sse-decoder/line-ends/mixed", test_line_ends_mixed);
  g_test_add_func ("/sse-decoder/line-ends/cr-lf-split", test_line_ends_cr_lf_split);
  g_test_add_func ("/sse-decoder/line-ends/lone-cr-at-eof", test_line_ends_lone_cr_at_eof);
  g_test_add_func ("/sse-decoder/data/no-colon", test_data_no_colon);
  g_test_add_func ("/sse-decoder/data/empty-value", test_data_empty_value);
  g_test_add_func ("/sse-decoder/data/final-lf-removed-once", test_data_final_lf_removed_once);
  g_test_add_func ("/sse-decoder/data/multi-line", test_data_multi_line);
  g_test_add_func ("/sse-decoder/space/one-stripped", test_space_one_stripped);
  g_test_add_func ("/sse-decoder/space/tab-kept", test_space_tab_kept);
  g_test_add_func ("/sse-decoder/field/case-sensitive", test_field_case_sensitive);
  g_test_add_func ("/sse-decoder/field/leading-space", test_field_leading_space);
  g_test_add_func ("/sse-decoder/field/unknown", test_field_unknown);
  g_test_add_func ("/sse-decoder/field/first-colon-splits", test_field_first_colon_splits);
  g_test_add_func ("/sse-decoder/comment/ignored", test_comment_ignored);
  g_test_add_func ("/sse-decoder/comment/nul-and-long", test_comment_nul_and_long);
  g_test_add_func ("/sse-decoder/empty-data/no-dispatch", test_empty_data_no_dispatch);
  g_test_add_func ("/sse-decoder/event/ping-without-data", test_event_ping_without_data);
  g_test_add_func ("/sse-decoder/event/type-resets", test_event_type_resets);
  g_test_add_func ("/sse-decoder/event/type-empty", test_event_type_empty);
  g_test_add_func ("/sse-decoder/event/type-last-wins", test_event_type_last_wins);
  g_test_add_func ("/sse-decoder/id/persists", test_id_persists);
  g_test_add_func ("/sse-decoder/id/reset", test_id_reset);
  g_test_add_func ("/sse-decoder/id/nul-ignored", test_id_with_nul_ignored);
  g_test_add_func ("/sse-decoder/id/without-data", test_id_without_data);
  g_test_add_func ("/sse-decoder/id/invalid-utf8", test_id_invalid_utf8);
  g_test_add_func ("/sse-decoder/retry/valid", test_retry_valid);
  g_test_add_func ("/sse-decoder/retry/invalid", test_retry_invalid);
  g_test_add_func ("/sse-decoder/retry/default", test_retry_default);
  g_test_add_func ("/sse-decoder/nul-in-data", test_nul_in_data);
  g_test_add_func ("/sse-decoder/eof/discards-unterminated", test_eof_discards_unterminated);
  g_test_add_func ("/sse-decoder/eof/discards-id", test_eof_discards_id);
  g_test_add_func ("/sse-decoder/eof/finish-resets", test_finish_resets);
  g_test_add_func ("/sse-decoder/utf8/invalid-replaced", test_utf8_invalid_replaced);
  g_test_add_func ("/sse-decoder/utf8/invalid-with-nul", test_utf8_invalid_with_nul);
  g_test_add_func ("/sse-decoder/utf8/invalid-type", test_utf8_invalid_type);
  g_test_add_func ("/sse-decoder/utf8/multibyte-split", test_utf8_multibyte_split);
  g_test_add_func ("/sse-decoder/utf8/separators-not-line-ends",
                   test_unicode_separators_not_line_ends);
  g_test_add_func ("/sse-decoder/provider/openai", test_openai_stream);
  g_test_add_func ("/sse-decoder/provider/anthropic", test_anthropic_stream);
  g_test_add_func ("/sse-decoder/pending-size", test_pending_size);
  g_test_add_func ("/sse-decoder/large-single-line", test_large_single_line);
  g_test_add_func ("/sse-decoder/many-lines-one-feed", test_many_lines_one_feed);
  g_test_add_func ("/sse-decoder/destroy-notify", test_destroy_notify);
  g_test_add_func ("/sse-decoder/unref-in-callback", test_unref_in_callback);

  return g_test_run ();
}
