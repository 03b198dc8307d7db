/* test-translations.c: the zh_CN catalog as the program reads it
 *
 * The app and confab-cli show provider and region names through the
 * catalog, while confab-cli's JSON (name_zh) and the docs quote the preset
 * table's own Chinese column: both must name a provider the same way, as
 * its users in China know it. po/check-translations.py checks the .po
 * files themselves.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>

#include "confab-provider-info.h"

/* Without the catalog every name would read as English, and the
 * comparisons below would fail on the first Chinese one. Say why. */
static void
test_catalog_found (void)
{
  const ConfabProviderInfo *spark = confab_provider_info_lookup ("spark");

  g_assert_nonnull (spark);
  if (g_str_equal (confab_provider_info_get_display_name (spark), spark->name))
    g_test_fail_printf ("no zh_CN catalog for “%s” in %s", GETTEXT_PACKAGE,
                        g_getenv ("CONFAB_LOCALEDIR"));
}

static void
test_provider_names (void)
{
  guint n_infos = 0;
  const ConfabProviderInfo * const *infos = confab_provider_info_list (&n_infos);

  g_assert_cmpuint (n_infos, >, 0);
  for (guint i = 0; i < n_infos; i++)
    {
      g_test_message ("%s: %s → %s", infos[i]->id, infos[i]->name, infos[i]->name_zh);
      g_assert_cmpstr (confab_provider_info_get_display_name (infos[i]), ==, infos[i]->name_zh);
    }
}

static void
test_region_names (void)
{
  guint n_infos = 0;
  const ConfabProviderInfo * const *infos = confab_provider_info_list (&n_infos);

  for (guint i = 0; i < n_infos; i++)
    for (const ConfabProviderRegion *r = infos[i]->regions; r->id != NULL; r++)
      {
        g_test_message ("%s/%s: %s → %s", infos[i]->id, r->id, r->name, r->name_zh);
        g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, r->name), ==, r->name_zh);
      }
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("CONFAB_LOCALEDIR");

  g_test_init (&argc, &argv, NULL);

  /* glibc ignores LANGUAGE in the C locale; C.UTF-8 is always there,
   * whereas zh_CN.UTF-8 may not be generated on a build machine. */
  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  setlocale (LC_ALL, "C.UTF-8");
  g_assert_nonnull (localedir);
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  g_test_add_func ("/translations/zh_CN/catalog-found", test_catalog_found);
  g_test_add_func ("/translations/zh_CN/provider-names", test_provider_names);
  g_test_add_func ("/translations/zh_CN/region-names", test_region_names);

  return g_test_run ();
}
