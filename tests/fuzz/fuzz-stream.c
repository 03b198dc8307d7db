/* fuzz-stream.c: a provider's stream parser on a hostile response body
 *
 * Input: one byte choosing the provider among those speaking the target's
 * protocol (the OpenAI-compatible presets differ in their quirks), 4 bytes
 * choosing the read boundaries, then the body. The parser comes from
 * confab_provider_create_stream_parser(), as in the app.
 *
 * Properties checked: every delta is valid UTF-8; reading the body in one
 * piece or in many gives the same deltas, the same outcome and, when it
 * succeeds, the same finish reason; errors are CONFAB_ERRORs with a UTF-8 message; once a
 * parser failed it keeps failing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-provider.h"
#include "fuzz-stream.h"

typedef struct
{
  ConfabStreamParser *parser;
  GString            *log;
  GError             *error;
} Run;

static void
on_delta (const ConfabDelta *delta,
          gpointer           user_data)
{
  GString *log = user_data;

  switch (delta->kind)
    {
    case CONFAB_DELTA_TEXT:
    case CONFAB_DELTA_REASONING:
      confab_fuzz_require (delta->text != NULL);
      confab_fuzz_check_utf8 (delta->text, -1, "a text delta");
      g_string_append_printf (log, "%c%s\n", delta->kind == CONFAB_DELTA_TEXT ? 'T' : 'R',
                              delta->text);
      break;
    case CONFAB_DELTA_USAGE:
      g_string_append_printf (log, "U%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT "\n",
                              delta->input_tokens, delta->output_tokens);
      break;
    default:
      g_error ("unknown delta kind %d", delta->kind);
    }
}

static void
check_error (const GError *error)
{
  confab_fuzz_require (error != NULL);
  confab_fuzz_require (error->domain == CONFAB_ERROR);
  confab_fuzz_check_utf8 (error->message, -1, "an error message");
}

static void
feed_chunk (const char *chunk,
            gsize       len,
            gpointer    user_data)
{
  Run *run = user_data;

  if (run->error != NULL)
    return;
  if (!confab_stream_parser_feed (run->parser, chunk, len, &run->error))
    {
      g_autoptr(GError) again = NULL;

      check_error (run->error);
      confab_fuzz_require (!confab_stream_parser_feed (run->parser, "\n\n", 2, &again));
      confab_fuzz_require (again->code == run->error->code);
    }
}

static char *
parse (ConfabProvider *provider,
       const char     *data,
       gsize           size,
       gboolean        chunked,
       guint32         seed)
{
  g_autoptr(ConfabStreamParser) parser = confab_provider_create_stream_parser (provider);
  Run run = { parser, g_string_new (NULL), NULL };

  confab_stream_parser_set_delta_func (parser, on_delta, run.log);
  if (chunked)
    confab_fuzz_chunks (data, size, seed, feed_chunk, &run);
  else
    feed_chunk (data, size, &run);

  if (run.error == NULL && !confab_stream_parser_finish (parser, &run.error))
    check_error (run.error);

  /* After an error the finish reason means nothing (the chat stream
   * drops it), and a wrapping parser such as Azure's may not have seen it. */
  if (run.error != NULL)
    g_string_append_printf (run.log, "error %d\n", run.error->code);
  else
    g_string_append_printf (run.log, "complete %d reason %s\n",
                            confab_stream_parser_is_complete (parser),
                            confab_stream_parser_get_finish_reason (parser));
  g_clear_error (&run.error);
  return g_string_free (run.log, FALSE);
}

static const ConfabProviderInfo *
pick_provider (ConfabProtocol protocol,
               guint8         choice)
{
  const ConfabProviderInfo * const *infos = confab_provider_info_list (NULL);
  g_autoptr(GPtrArray) matching = g_ptr_array_new ();

  for (guint i = 0; infos[i] != NULL; i++)
    if (infos[i]->protocol == protocol)
      g_ptr_array_add (matching, (gpointer)infos[i]);
  g_assert (matching->len > 0);
  return g_ptr_array_index (matching, choice % matching->len);
}

int
confab_fuzz_stream_parser (ConfabProtocol  protocol,
                           const uint8_t  *data,
                           size_t          size)
{
  g_autoptr(ConfabProvider) provider = NULL;
  g_autofree char *whole = NULL;
  g_autofree char *pieces = NULL;
  guint32 seed;

  confab_fuzz_init ();
  if (size < 1)
    return 0;
  provider = confab_provider_new (pick_provider (protocol, data[0]));
  data++, size--;
  seed = confab_fuzz_take_seed (&data, &size);

  whole = parse (provider, (const char *)data, size, FALSE, 0);
  pieces = parse (provider, (const char *)data, size, TRUE, seed);
  if (strcmp (whole, pieces) != 0)
    g_error ("one read and many differ:\n--- one read:\n%s--- many reads:\n%s", whole, pieces);
  return 0;
}
