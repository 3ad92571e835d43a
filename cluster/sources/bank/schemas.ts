/**
 * Explicit schemas for the two UCI Bank Marketing files (Moro et al., CC BY 4.0).
 *
 * Both files are semicolon-separated with quoted strings; `bank-full.csv` has 17 columns and LF
 * line ends, `bank-additional-full.csv` 21 columns (dotted names such as `emp.var.rate`) and CR LF.
 * Categorical columns carry their enums, so any other value is quarantined. The files hold no
 * year; `contact_date.ts` derives one from row order.
 *
 * @module
 */
import type { CsvDialect } from "../../io/csv/scan.ts";
import type { CsvField, CsvSchema } from "../../io/csv/schema.ts";

/** Column names that leak the label (known only after the call): drop them for realistic models. */
export const BANK_LEAK_COLUMNS: readonly string[] = ["duration"];
/** The label column of both files (`"yes"` / `"no"`). */
export const BANK_LABEL_COLUMN = "y";
/** Month names as written in the files, January first. */
export const BANK_MONTHS: readonly string[] = [
  "jan",
  "feb",
  "mar",
  "apr",
  "may",
  "jun",
  "jul",
  "aug",
  "sep",
  "oct",
  "nov",
  "dec",
];

const YES_NO = ["no", "yes"];
const YES_NO_UNKNOWN = ["no", "yes", "unknown"];
const JOBS = [
  "admin.",
  "blue-collar",
  "entrepreneur",
  "housemaid",
  "management",
  "retired",
  "self-employed",
  "services",
  "student",
  "technician",
  "unemployed",
  "unknown",
];
const int = (name: string): CsvField => ({ name, type: "int", nullable: false });
const double = (name: string): CsvField => ({ name, type: "double", nullable: false });
const cat = (name: string, values: readonly string[]): CsvField => ({
  name,
  type: "string",
  nullable: false,
  enum: values,
});

/** `bank-full.csv`: 45,211 rows, 17 columns. */
export const BANK_FULL_SCHEMA: CsvSchema = {
  fields: [
    int("age"),
    cat("job", JOBS),
    cat("marital", ["divorced", "married", "single"]),
    cat("education", ["primary", "secondary", "tertiary", "unknown"]),
    cat("default", YES_NO),
    int("balance"),
    cat("housing", YES_NO),
    cat("loan", YES_NO),
    cat("contact", ["cellular", "telephone", "unknown"]),
    int("day"),
    cat("month", BANK_MONTHS),
    int("duration"),
    int("campaign"),
    int("pdays"),
    int("previous"),
    cat("poutcome", ["failure", "other", "success", "unknown"]),
    cat("y", YES_NO),
  ],
};

/** `bank-additional-full.csv`: 41,188 rows, 21 columns. */
export const BANK_ADDITIONAL_SCHEMA: CsvSchema = {
  fields: [
    int("age"),
    cat("job", JOBS),
    cat("marital", ["divorced", "married", "single", "unknown"]),
    cat("education", [
      "basic.4y",
      "basic.6y",
      "basic.9y",
      "high.school",
      "illiterate",
      "professional.course",
      "university.degree",
      "unknown",
    ]),
    cat("default", YES_NO_UNKNOWN),
    cat("housing", YES_NO_UNKNOWN),
    cat("loan", YES_NO_UNKNOWN),
    cat("contact", ["cellular", "telephone"]),
    cat("month", BANK_MONTHS),
    cat("day_of_week", ["mon", "tue", "wed", "thu", "fri"]),
    int("duration"),
    int("campaign"),
    int("pdays"),
    int("previous"),
    cat("poutcome", ["failure", "nonexistent", "success"]),
    double("emp.var.rate"),
    double("cons.price.idx"),
    double("cons.conf.idx"),
    double("euribor3m"),
    double("nr.employed"),
    cat("y", YES_NO),
  ],
};

/** How both files are written. */
export const BANK_DIALECT: CsvDialect = { separator: ";", quote: '"', header: true };

/** Read options for `bank-full.csv` (pass to `readCsvFile` / `parseRange`). */
export const BANK_FULL_OPTIONS: CsvDialect & { readonly schema: CsvSchema } = {
  ...BANK_DIALECT,
  schema: BANK_FULL_SCHEMA,
};
/** Read options for `bank-additional-full.csv`. */
export const BANK_ADDITIONAL_OPTIONS: CsvDialect & { readonly schema: CsvSchema } = {
  ...BANK_DIALECT,
  schema: BANK_ADDITIONAL_SCHEMA,
};
