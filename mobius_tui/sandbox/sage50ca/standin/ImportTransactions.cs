// Stand-in for Sage 50's File > Import/Export > Import Transactions (sandbox only), compiled together
// with the stand-in SDK into SageImport.exe. It reads an .IMP file (reference/sage50ca.md §4.1) and
// posts each record through the same ledgers and journals the SDK uses, so the company tables end as
// Sage's own import leaves them. A record Sage would refuse (a used invoice number, an unknown customer,
// vendor, item or tax, a detail count or total that does not add up) is reported and the import goes
// on with the next one; a record already there (customer, vendor) is left alone.
//
// Usage: mono SageImport.exe FILE.IMP COMPANY.SAI USER PASSWORD
// Output: one line per record, "imported <tag> <name or number>" or "refused <tag> <name or number>: <why>".
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using SimplySDK.PayableModule;
using SimplySDK.ReceivableModule;
using SimplySDK.Support;

namespace SimplySDK.Sandbox
{
    public static class ImportTransactions
    {
        static readonly string[] Versions = { "12001", "32101" };

        public static int Main(string[] args)
        {
            if (args.Length < 4) { Console.Error.WriteLine("usage: SageImport.exe FILE.IMP COMPANY.SAI USER PASSWORD"); return 64; }
            SDKInstanceManager.SDKResult result;
            if (!SDKInstanceManager.Instance.OpenDatabase(args[1], args[2], args[3], true, "Import Transactions", "SAIMP", 1, out result))
            {
                Console.Error.WriteLine("Sage 50 could not open the company: " + result);
                return 4;
            }
            try
            {
                // Windows-1252 text; Latin-1 agrees with it on every letter the sandbox's names use.
                string[] lines = File.ReadAllLines(args[0], Encoding.GetEncoding("iso-8859-1"));
                string tag = null;
                List<List<string>> rows = new List<List<string>>();
                bool versioned = false;
                foreach (string raw in lines)
                {
                    string line = raw.Trim();
                    if (line.Length == 0 || line.StartsWith("<!")) continue;
                    if (tag == null && line.StartsWith("<") && line.EndsWith(">") && !line.StartsWith("</"))
                    {
                        tag = line.Substring(1, line.Length - 2).ToLowerInvariant();
                        rows = new List<List<string>>();
                    }
                    else if (tag != null && line.ToLowerInvariant() == "</" + tag + ">")
                    {
                        if (tag == "version")
                        {
                            versioned = rows.Count == 1 && Array.IndexOf(Versions, rows[0][0]) >= 0;
                            if (!versioned) { Console.WriteLine("refused version: not an import file version this release reads"); return 3; }
                        }
                        else if (!versioned) { Console.WriteLine("refused " + tag + ": the file has no <Version> section first"); return 3; }
                        else Record(tag, rows);
                        tag = null;
                    }
                    else if (tag != null) rows.Add(Fields(line));
                    else { Console.WriteLine("refused line outside a section: " + line); }
                }
            }
            finally { SDKInstanceManager.Instance.CloseDatabase(); }
            return 0;
        }

        static void Record(string tag, List<List<string>> rows)
        {
            if (tag == "customers" || tag == "vendors")
            {
                foreach (List<string> row in rows) Party(tag, row);
                return;
            }
            string what = rows.Count > 1 && rows[1].Count > 2 ? rows[1][2] : "?";
            try
            {
                if (tag == "salinvoice") Invoice(true, rows);
                else if (tag == "purinvoice") Invoice(false, rows);
                else throw new SDKException("this import handles no <" + tag + "> records");
                Console.WriteLine("imported " + tag + " " + what);
            }
            catch (Exception e)
            {
                Console.WriteLine("refused " + tag + " " + what + ": " + e.Message);
            }
            Company.Poisoned = false;  // Sage's import goes on with the next record
        }

        static void Party(string tag, List<string> row)
        {
            APARLedgerBase ledger = tag == "customers" ? (APARLedgerBase)new CustomerLedger() : new VendorLedger();
            string name = row[0];
            try
            {
                if (ledger.LoadByName(name)) { Console.WriteLine("refused " + tag + " " + name + ": already in the company; left as it is"); return; }
                ledger.InitializeNew();
                ledger.Name = name;
                ledger.Contact = At(row, 2); ledger.Street1 = At(row, 3); ledger.Street2 = At(row, 4); ledger.City = At(row, 5);
                ledger.Province = At(row, 6); ledger.PostalCode = At(row, 7); ledger.Country = At(row, 8);
                ledger.Phone1 = At(row, 9); ledger.Phone2 = At(row, 10); ledger.Fax = At(row, 11); ledger.Email = At(row, 12);
                ledger.Save();
                Console.WriteLine("imported " + tag + " " + name);
            }
            catch (Exception e)
            {
                Console.WriteLine("refused " + tag + " " + name + ": " + e.Message);
                Company.Poisoned = false;
            }
        }

        // Sales: details, order, invoice, date, paid by, source, total, freight. Purchases: details, order,
        // invoice, date, ship date, total, discount rate, discount days, net days, freight.
        static void Invoice(bool sales, List<List<string>> rows)
        {
            if (rows.Count < 2) throw new SDKException("a transaction needs its name line and its options line");
            List<string> options = rows[1];
            int details = int.Parse(options[0], CultureInfo.InvariantCulture);
            if (details != rows.Count - 2)
                throw new SDKException("the transaction says " + details + " detail lines but has " + (rows.Count - 2));
            decimal total = Dec(options[sales ? 6 : 5]), freight = Dec(options[sales ? 7 : 9]);
            if (freight != 0) throw new SDKException("the sandbox company has no linked freight account");
            InvoiceJournal journal = sales ? (InvoiceJournal)new SalesJournal() : new PurchasesJournal();
            journal.SelectTransType(0);
            journal.InvoiceNumber = options[2];
            if (options[1].Length > 0) journal.OrderQuoteNum = options[1];
            journal.SetJournalDate(options[3]);
            if (journal.SelectAPARLedger(rows[0][0]) <= 0)
                throw new SDKException((sales ? "Customer " : "Vendor ") + rows[0][0] + " does not exist.");
            for (int i = 2; i < rows.Count; i++)
            {
                List<string> d = rows[i];
                int line = i - 1;
                journal.SetItemNumber(d[0], line);
                journal.SetQuantity((double)Dec(d[1]), line);
                journal.SetPrice((double)Dec(d[2]), line);
                journal.SetLineAmount((double)Dec(d[3]), line);
                for (int t = 4; t + 4 < d.Count; t += 5) journal.SetLineTax(line, d[t], Dec(d[t + 4]));
            }
            decimal computed = Math.Round((decimal)journal.GetTotalAmount(), 2);
            if (computed != total)
                throw new SDKException("the total " + total.ToString(CultureInfo.InvariantCulture) + " is not the lines plus taxes (" +
                                       computed.ToString(CultureInfo.InvariantCulture) + ")");
            journal.Post();
        }

        static string At(List<string> row, int i) { return i < row.Count ? row[i] : ""; }

        static decimal Dec(string text) { return decimal.Parse(text.Length == 0 ? "0" : text, NumberStyles.Number, CultureInfo.InvariantCulture); }

        // Comma-separated fields; strings in double quotes (a doubled quote inside is one quote).
        static List<string> Fields(string line)
        {
            List<string> fields = new List<string>();
            StringBuilder field = new StringBuilder();
            bool quoted = false;
            for (int i = 0; i < line.Length; i++)
            {
                char c = line[i];
                if (quoted)
                {
                    if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                    else if (c == '"') quoted = false;
                    else field.Append(c);
                }
                else if (c == '"') quoted = true;
                else if (c == ',') { fields.Add(field.ToString().Trim()); field.Clear(); }
                else field.Append(c);
            }
            fields.Add(field.ToString().Trim());
            return fields;
        }
    }
}
