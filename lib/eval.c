/*
 * eval.c - agreement between the codebook and a human reference: precision,
 * recall, F1 and Cohen's kappa of a 2x2 table (DESIGN §6).
 */
#include "common.h"

void grille_scores_compute(const grille_confusion *c, grille_scores *out)
{
    /* each score one division of two exact integers (counts of lines,
     * far below 2^26: their products stay exact in 64 bits and in a
     * double), so that one value is one double however it was reached:
     * F1 of 7/16 and a precision of 7/16 print alike */
    int64_t tp = (int64_t)c->tp, fp = (int64_t)c->fp, fn = (int64_t)c->fn,
            tn = (int64_t)c->tn;
    out->precision = tp + fp > 0 ? (double)tp / (double)(tp + fp)
                                 : (fn > 0 ? 0.0 : 1.0);
    out->recall = tp + fn > 0 ? (double)tp / (double)(tp + fn)
                              : (fp > 0 ? 0.0 : 1.0);
    /* 2PR / (P + R); 1 when there is nothing to find and nothing found */
    out->f1 = 2 * tp + fp + fn > 0
                  ? (double)(2 * tp) / (double)(2 * tp + fp + fn)
                  : 1.0;
    if (tp + fp + fn + tn == 0) {
        out->kappa = 1.0;
        return;
    }
    /* (po - pe) / (1 - pe), as 2 (tp tn - fp fn) / ((tp + fp)(fp + tn) +
     * (tp + fn)(fn + tn)); the denominator is 0 when pe is 1 */
    int64_t num = 2 * (tp * tn - fp * fn);
    int64_t den = (tp + fp) * (fp + tn) + (tp + fn) * (fn + tn);
    if (den == 0)
        out->kappa = fp + fn == 0 ? 1.0 : 0.0;
    else
        out->kappa = (double)num / (double)den;
}
