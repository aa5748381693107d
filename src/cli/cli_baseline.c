/* cli_baseline.c — `report --baseline OLD.json NEW.json`: the findings of
 * NEW that OLD did not have, matched by kind, object type and the culprit
 * frames' functions (cli_finding_signature), never by address or line, so a
 * rebuilt or edited program still matches.  Each OLD finding pardons one
 * NEW finding with its signature. */
#include "cli_report.h"

#include <stdlib.h>
#include <string.h>

size_t cli_baseline_filter(json_t *old_doc, json_t *new_doc)
{
    json_t *old_findings = json_object_get(old_doc, "findings");
    size_t n_old = json_array_size(old_findings);
    char **old_sigs = cli_alloc((n_old + 1) * sizeof(*old_sigs));
    for (size_t i = 0; i < n_old; i++) old_sigs[i] = cli_finding_signature(json_array_get(old_findings, i));

    json_t *kept = json_array();
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(new_doc, "findings"), i, f)
    {
        char *sig = cli_finding_signature(f);
        bool known = false;
        for (size_t k = 0; k < n_old && !known; k++) {
            if (old_sigs[k] && strcmp(old_sigs[k], sig) == 0) {
                known = true;
                free(old_sigs[k]);
                old_sigs[k] = NULL;
            }
        }
        if (!known) json_array_append(kept, f);
        free(sig);
    }
    for (size_t k = 0; k < n_old; k++) free(old_sigs[k]);
    free(old_sigs);
    size_t left = json_array_size(kept);
    json_object_set_new(new_doc, "findings", kept);
    return left;
}
