/* fuzz-sse-decoder.c: ConfabSseDecoder on hostile bytes, in hostile reads
 *
 * Input: 4 bytes choosing the read boundaries, then the body. The body is
 * decoded twice, in one read and in the chosen reads; the events must be
 * the same (the WHATWG algorithm does not depend on how bytes arrive) and
 * every event must keep the decoder's promises: valid UTF-8, a NUL after
 * the data.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-sse-decoder.h"
#include "fuzz-common.h"

/* NUL is legal in SSE data (the spec's any-char), but not in
 * g_utf8_validate(): check what lies between the NULs. */
static void
check_utf8_with_nuls (const char *data,
                      gsize       len)
{
  const char *end = data + len;

  while (data < end)
    {
      const char *nul = memchr (data, '\0', end - data);
      const char *stop = nul ? nul : end;

      confab_fuzz_check_utf8 (data, stop - data, "the event data");
      data = stop + (nul ? 1 : 0);
    }
}

static void
on_event (const ConfabSseEvent *event,
          gpointer              user_data)
{
  GString *log = user_data;

  confab_fuzz_check_utf8 (event->type, -1, "the event type");
  check_utf8_with_nuls (event->data, event->data_len);
  confab_fuzz_check_utf8 (event->last_event_id, -1, "the last event id");
  confab_fuzz_require (event->data[event->data_len] == '\0');
  confab_fuzz_require (event->type[0] != '\0');

  g_string_append_printf (log, "%s\n%" G_GSIZE_FORMAT "\n", event->type, event->data_len);
  g_string_append_len (log, event->data, event->data_len);
  g_string_append_printf (log, "\n%s\n", event->last_event_id);
}

static void
feed_chunk (const char *chunk,
            gsize       len,
            gpointer    user_data)
{
  confab_sse_decoder_feed (user_data, chunk, len);
}

static char *
decode (const char *data,
        gsize       size,
        gboolean    chunked,
        guint32     seed)
{
  GString *log = g_string_new (NULL);
  g_autoptr(ConfabSseDecoder) decoder = confab_sse_decoder_new (on_event, log, NULL);

  if (chunked)
    confab_fuzz_chunks (data, size, seed, feed_chunk, decoder);
  else
    confab_sse_decoder_feed (decoder, data, size);
  confab_sse_decoder_finish (decoder);

  confab_fuzz_require (confab_sse_decoder_get_pending_size (decoder) == 0);
  g_string_append_printf (log, "retry %" G_GINT64_FORMAT " id %s\n",
                          confab_sse_decoder_get_retry (decoder),
                          confab_sse_decoder_get_last_event_id (decoder));
  return g_string_free (log, FALSE);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  guint32 seed;
  g_autofree char *whole = NULL;
  g_autofree char *pieces = NULL;

  confab_fuzz_init ();
  seed = confab_fuzz_take_seed (&data, &size);

  whole = decode ((const char *)data, size, FALSE, 0);
  pieces = decode ((const char *)data, size, TRUE, seed);
  confab_fuzz_require (strcmp (whole, pieces) == 0);
  return 0;
}
