/*
 * mid.c - identity numbers: the Maritime Identification Digits (MID) of an
 * MMSI and the country they were allocated to, and the IMO ship number's
 * check digit.
 *
 * Sources:
 *  - ITU Radio Regulations Appendix 43 and the ITU "Table of Maritime
 *    Identification Digits" (MIDs 201-775, as allocated in 2024), with
 *    each administration written as its ISO 3166-1 alpha-2 code.  Where a
 *    MID belongs to a territory without its own ISO code it takes the
 *    state's (Azores 204 and Madeira 255 -> PT, Alaska 303 -> US); where
 *    the territory has one it takes that (Hong Kong 477 -> HK, Macao 453
 *    -> MO, Ascension 608 -> SH, Adelie Land 501 and the French southern
 *    islands 607, 618, 635 -> TF, Taiwan 416 -> TW).  306 (Curacao, Sint
 *    Maarten, Bonaire, Sint Eustatius and Saba) -> CW.
 *  - ITU-R M.585-9: a ship station's MMSI is MIDXXXXXX with the MID's
 *    first digit 2-7.
 *  - IMO Resolution A.1078(28): IMO number "IMO" + seven digits, the last
 *    a check digit: (7 d1 + 6 d2 + 5 d3 + 4 d4 + 3 d5 + 2 d6) mod 10.
 *  - ISO 3166-1 alpha-3 to alpha-2, for port lists keyed by alpha-3 (the
 *    World Port Index and Global Fishing Watch anchorages use ISO3).
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "darkfleet.h"
#include "mid.h"

#define MID_MIN 201
#define MID_MAX 775

/* MID -> ISO 3166-1 alpha-2; "" where unallocated. */
static const char mids[MID_MAX + 1][3] = {
    /* Europe */
    [201] = "AL", [202] = "AD", [203] = "AT", [204] = "PT", [205] = "BE",
    [206] = "BY", [207] = "BG", [208] = "VA", [209] = "CY", [210] = "CY",
    [211] = "DE", [212] = "CY", [213] = "GE", [214] = "MD", [215] = "MT",
    [216] = "AM", [218] = "DE", [219] = "DK", [220] = "DK", [224] = "ES",
    [225] = "ES", [226] = "FR", [227] = "FR", [228] = "FR", [229] = "MT",
    [230] = "FI", [231] = "FO", [232] = "GB", [233] = "GB", [234] = "GB",
    [235] = "GB", [236] = "GI", [237] = "GR", [238] = "HR", [239] = "GR",
    [240] = "GR", [241] = "GR", [242] = "MA", [243] = "HU", [244] = "NL",
    [245] = "NL", [246] = "NL", [247] = "IT", [248] = "MT", [249] = "MT",
    [250] = "IE", [251] = "IS", [252] = "LI", [253] = "LU", [254] = "MC",
    [255] = "PT", [256] = "MT", [257] = "NO", [258] = "NO", [259] = "NO",
    [261] = "PL", [262] = "ME", [263] = "PT", [264] = "RO", [265] = "SE",
    [266] = "SE", [267] = "SK", [268] = "SM", [269] = "CH", [270] = "CZ",
    [271] = "TR", [272] = "UA", [273] = "RU", [274] = "MK", [275] = "LV",
    [276] = "EE", [277] = "LT", [278] = "SI", [279] = "RS",
    /* North and Central America, Caribbean */
    [301] = "AI", [303] = "US", [304] = "AG", [305] = "AG", [306] = "CW",
    [307] = "AW", [308] = "BS", [309] = "BS", [310] = "BM", [311] = "BS",
    [312] = "BZ", [314] = "BB", [316] = "CA", [319] = "KY", [321] = "CR",
    [323] = "CU", [325] = "DM", [327] = "DO", [329] = "GP", [330] = "GD",
    [331] = "GL", [332] = "GT", [334] = "HN", [336] = "HT", [338] = "US",
    [339] = "JM", [341] = "KN", [343] = "LC", [345] = "MX", [347] = "MQ",
    [348] = "MS", [350] = "NI", [351] = "PA", [352] = "PA", [353] = "PA",
    [354] = "PA", [355] = "PA", [356] = "PA", [357] = "PA", [358] = "PR",
    [359] = "SV", [361] = "PM", [362] = "TT", [364] = "TC", [366] = "US",
    [367] = "US", [368] = "US", [369] = "US", [370] = "PA", [371] = "PA",
    [372] = "PA", [373] = "PA", [374] = "PA", [375] = "VC", [376] = "VC",
    [377] = "VC", [378] = "VG", [379] = "VI",
    /* Asia */
    [401] = "AF", [403] = "SA", [405] = "BD", [408] = "BH", [410] = "BT",
    [412] = "CN", [413] = "CN", [414] = "CN", [416] = "TW", [417] = "LK",
    [419] = "IN", [422] = "IR", [423] = "AZ", [425] = "IQ", [428] = "IL",
    [431] = "JP", [432] = "JP", [434] = "TM", [436] = "KZ", [437] = "UZ",
    [438] = "JO", [440] = "KR", [441] = "KR", [443] = "PS", [445] = "KP",
    [447] = "KW", [450] = "LB", [451] = "KG", [453] = "MO", [455] = "MV",
    [457] = "MN", [459] = "NP", [461] = "OM", [463] = "PK", [466] = "QA",
    [468] = "SY", [470] = "AE", [471] = "AE", [472] = "TJ", [473] = "YE",
    [475] = "YE", [477] = "HK", [478] = "BA",
    /* Oceania */
    [501] = "TF", [503] = "AU", [506] = "MM", [508] = "BN", [510] = "FM",
    [511] = "PW", [512] = "NZ", [514] = "KH", [515] = "KH", [516] = "CX",
    [518] = "CK", [520] = "FJ", [523] = "CC", [525] = "ID", [529] = "KI",
    [531] = "LA", [533] = "MY", [536] = "MP", [538] = "MH", [540] = "NC",
    [542] = "NU", [544] = "NR", [546] = "PF", [548] = "PH", [550] = "TL",
    [553] = "PG", [555] = "PN", [557] = "SB", [559] = "AS", [561] = "WS",
    [563] = "SG", [564] = "SG", [565] = "SG", [566] = "SG", [567] = "TH",
    [570] = "TO", [572] = "TV", [574] = "VN", [576] = "VU", [577] = "VU",
    [578] = "WF",
    /* Africa */
    [601] = "ZA", [603] = "AO", [605] = "DZ", [607] = "TF", [608] = "SH",
    [609] = "BI", [610] = "BJ", [611] = "BW", [612] = "CF", [613] = "CM",
    [615] = "CG", [616] = "KM", [617] = "CV", [618] = "TF", [619] = "CI",
    [620] = "KM", [621] = "DJ", [622] = "EG", [624] = "ET", [625] = "ER",
    [626] = "GA", [627] = "GH", [629] = "GM", [630] = "GW", [631] = "GQ",
    [632] = "GN", [633] = "BF", [634] = "KE", [635] = "TF", [636] = "LR",
    [637] = "LR", [638] = "SS", [642] = "LY", [644] = "LS", [645] = "MU",
    [647] = "MG", [649] = "ML", [650] = "MZ", [654] = "MR", [655] = "MW",
    [656] = "NE", [657] = "NG", [659] = "NA", [660] = "RE", [661] = "RW",
    [662] = "SD", [663] = "SN", [664] = "SC", [665] = "SH", [666] = "SO",
    [667] = "SL", [668] = "ST", [669] = "SZ", [670] = "TD", [671] = "TG",
    [672] = "TN", [674] = "TZ", [675] = "UG", [676] = "CD", [677] = "TZ",
    [678] = "ZM", [679] = "ZW",
    /* South America */
    [701] = "AR", [710] = "BR", [720] = "BO", [725] = "CL", [730] = "CO",
    [735] = "EC", [740] = "FK", [745] = "GF", [750] = "GY", [755] = "PY",
    [760] = "PE", [765] = "SR", [770] = "UY", [775] = "VE",
};

const char *df_mid_country(unsigned mid)
{
    if (mid < MID_MIN || mid > MID_MAX || !mids[mid][0])
        return NULL;
    return mids[mid];
}

unsigned df_mmsi_mid(uint32_t mmsi)
{
    if (mmsi < 200000000u || mmsi > 799999999u)
        return 0;
    return mmsi / 1000000u;
}

unsigned df__imo_check_digit(uint32_t six)
{
    unsigned sum = 0, w;

    for (w = 2; w <= 7; w++, six /= 10)
        sum += w * (six % 10);
    return sum % 10;
}

int df_imo_valid(uint32_t imo)
{
    if (imo < 1000000u || imo > 9999999u)
        return 0;
    return df__imo_check_digit(imo / 10) == imo % 10;
}

/* ISO 3166-1: alpha-3 then alpha-2, sorted by alpha-3 for bsearch. */
static const char iso3[][6] = {
    "ABWAW", "AFGAF", "AGOAO", "AIAAI", "ALAAX", "ALBAL", "ANDAD", "AREAE",
    "ARGAR", "ARMAM", "ASMAS", "ATAAQ", "ATFTF", "ATGAG", "AUSAU", "AUTAT",
    "AZEAZ", "BDIBI", "BELBE", "BENBJ", "BESBQ", "BFABF", "BGDBD", "BGRBG",
    "BHRBH", "BHSBS", "BIHBA", "BLMBL", "BLRBY", "BLZBZ", "BMUBM", "BOLBO",
    "BRABR", "BRBBB", "BRNBN", "BTNBT", "BVTBV", "BWABW", "CAFCF", "CANCA",
    "CCKCC", "CHECH", "CHLCL", "CHNCN", "CIVCI", "CMRCM", "CODCD", "COGCG",
    "COKCK", "COLCO", "COMKM", "CPVCV", "CRICR", "CUBCU", "CUWCW", "CXRCX",
    "CYMKY", "CYPCY", "CZECZ", "DEUDE", "DJIDJ", "DMADM", "DNKDK", "DOMDO",
    "DZADZ", "ECUEC", "EGYEG", "ERIER", "ESHEH", "ESPES", "ESTEE", "ETHET",
    "FINFI", "FJIFJ", "FLKFK", "FRAFR", "FROFO", "FSMFM", "GABGA", "GBRGB",
    "GEOGE", "GGYGG", "GHAGH", "GIBGI", "GINGN", "GLPGP", "GMBGM", "GNBGW",
    "GNQGQ", "GRCGR", "GRDGD", "GRLGL", "GTMGT", "GUFGF", "GUMGU", "GUYGY",
    "HKGHK", "HMDHM", "HNDHN", "HRVHR", "HTIHT", "HUNHU", "IDNID", "IMNIM",
    "INDIN", "IOTIO", "IRLIE", "IRNIR", "IRQIQ", "ISLIS", "ISRIL", "ITAIT",
    "JAMJM", "JEYJE", "JORJO", "JPNJP", "KAZKZ", "KENKE", "KGZKG", "KHMKH",
    "KIRKI", "KNAKN", "KORKR", "KWTKW", "LAOLA", "LBNLB", "LBRLR", "LBYLY",
    "LCALC", "LIELI", "LKALK", "LSOLS", "LTULT", "LUXLU", "LVALV", "MACMO",
    "MAFMF", "MARMA", "MCOMC", "MDAMD", "MDGMG", "MDVMV", "MEXMX", "MHLMH",
    "MKDMK", "MLIML", "MLTMT", "MMRMM", "MNEME", "MNGMN", "MNPMP", "MOZMZ",
    "MRTMR", "MSRMS", "MTQMQ", "MUSMU", "MWIMW", "MYSMY", "MYTYT", "NAMNA",
    "NCLNC", "NERNE", "NFKNF", "NGANG", "NICNI", "NIUNU", "NLDNL", "NORNO",
    "NPLNP", "NRUNR", "NZLNZ", "OMNOM", "PAKPK", "PANPA", "PCNPN", "PERPE",
    "PHLPH", "PLWPW", "PNGPG", "POLPL", "PRIPR", "PRKKP", "PRTPT", "PRYPY",
    "PSEPS", "PYFPF", "QATQA", "REURE", "ROURO", "RUSRU", "RWARW", "SAUSA",
    "SDNSD", "SENSN", "SGPSG", "SGSGS", "SHNSH", "SJMSJ", "SLBSB", "SLESL",
    "SLVSV", "SMRSM", "SOMSO", "SPMPM", "SRBRS", "SSDSS", "STPST", "SURSR",
    "SVKSK", "SVNSI", "SWESE", "SWZSZ", "SXMSX", "SYCSC", "SYRSY", "TCATC",
    "TCDTD", "TGOTG", "THATH", "TJKTJ", "TKLTK", "TKMTM", "TLSTL", "TONTO",
    "TTOTT", "TUNTN", "TURTR", "TUVTV", "TWNTW", "TZATZ", "UGAUG", "UKRUA",
    "UMIUM", "URYUY", "USAUS", "UZBUZ", "VATVA", "VCTVC", "VENVE", "VGBVG",
    "VIRVI", "VNMVN", "VUTVU", "WLFWF", "WSMWS", "YEMYE", "ZAFZA", "ZMBZM",
    "ZWEZW",
};

static int cmp3(const void *key, const void *elem)
{
    return memcmp(key, elem, 3);
}

const char *df__country_alpha2(const char *code, char buf[4])
{
    char up[4];
    size_t n, i;
    const char *hit;

    if (!code)
        return NULL;
    n = strlen(code);
    if (n != 2 && n != 3)
        return code;
    for (i = 0; i < n; i++) {
        if (!isalpha((unsigned char)code[i]))
            return code;
        up[i] = (char)toupper((unsigned char)code[i]);
    }
    up[n] = '\0';
    if (n == 2) {
        memcpy(buf, up, 3);
        return buf;
    }
    hit = bsearch(up, iso3, sizeof iso3 / sizeof iso3[0], sizeof iso3[0],
                  cmp3);
    if (!hit)
        return code;
    buf[0] = hit[3];
    buf[1] = hit[4];
    buf[2] = '\0';
    return buf;
}
