/* fuzz-ndjson-decoder.c: ConfabNdjsonDecoder on hostile bytes and reads
 *
 * Input: 4 bytes choosing the read boundaries, then the body. One read or
 * many must give the same lines, each valid UTF-8, NUL-terminated, with
 * no JSON white space around it and no line break in it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-ndjson-decoder.h"
#include "fuzz-common.h"

/* JSON's own white space (the CR of a CRLF too); a form feed is not. */
static gboolean
is_json_blank (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void
on_line (const char *line,
         gsize       len,
         gpointer    user_data)
{
  GString *log = user_data;

  confab_fuzz_check_utf8 (line, len, "an NDJSON line");
  confab_fuzz_require (line[len] == '\0');
  confab_fuzz_require (len > 0 && !is_json_blank (line[0]) && !is_json_blank (line[len - 1]));
  confab_fuzz_require (memchr (line, '\n', len) == NULL);

  g_string_append_printf (log, "%" G_GSIZE_FORMAT ":", len);
  g_string_append_len (log, line, len);
}

static void
feed_chunk (const char *chunk,
            gsize       len,
            gpointer    user_data)
{
  confab_ndjson_decoder_feed (user_data, chunk, len);
}

static char *
decode (const char *data,
        gsize       size,
        gboolean    chunked,
        guint32     seed)
{
  GString *log = g_string_new (NULL);
  g_autoptr(ConfabNdjsonDecoder) decoder = confab_ndjson_decoder_new (on_line, log, NULL);

  if (chunked)
    confab_fuzz_chunks (data, size, seed, feed_chunk, decoder);
  else
    confab_ndjson_decoder_feed (decoder, data, size);
  confab_ndjson_decoder_finish (decoder);
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
