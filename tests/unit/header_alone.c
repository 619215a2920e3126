/*
 * header_alone.c - the public header compiles on its own, with nothing
 * before it, under -std=c11 -pedantic -Werror: it includes no third-party
 * header and needs none.
 */
#include "grille.h"

int main(void)
{
    grille_error err = {0};
    return grille_strerror(err.code)[0] == 's' ? 0 : 1;
}
