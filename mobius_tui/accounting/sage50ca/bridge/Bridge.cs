// Mobius TUI's bridge to the Sage 50 Canada SDK (Sage_SA.SDK.dll, namespace SimplySDK).
//
// One process per run and company. Requests and answers are JSON objects, one per line, on stdin and
// stdout (UTF-8); nothing else is written to stdout. Money and quantities travel as strings and are
// parsed with the invariant culture. Every alert Sage raises is recorded and returned with the answer;
// questions are answered NO, so nothing is posted on a guess.
//
// After any exception from a write (Save or Post) the SDK session cannot be trusted any more: the
// bridge answers with "restart": true and exits; the caller starts a new bridge for the next document.
//
// Requests ("op"): open, customer, vendor, item, sales, purchase, journal, quit. See README.md.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Web.Script.Serialization;
using Simply.Domain.Utility;
using SimplySDK;
using SimplySDK.GeneralModule;
using SimplySDK.InventoryModule;
using SimplySDK.PayableModule;
using SimplySDK.ReceivableModule;
using SimplySDK.Support;

namespace MobiusSage50Bridge
{
    // Headless alerts: every text is kept for the answer; questions get NO.
    public class RecordingAlert : SDKAlert
    {
        public readonly List<string> Texts = new List<string>();

        void Keep(string kind, SimplyMessage message)
        {
            Texts.Add(kind + ": " + (message == null ? "" : message.Message));
        }

        public override AlertResult AskAlert(SimplyMessage message) { Keep("question", message); return AlertResult.NO; }
        public override AlertResult AskSaveAlert() { Texts.Add("question: save changes?"); return AlertResult.NO; }
        public override AlertResult YNCAlert(SimplyMessage message) { Keep("question", message); return AlertResult.NO; }
        public override void StopAlert(SimplyMessage message) { Keep("stop", message); }
        public override bool StopAlertNotShow(SimplyMessage message) { Keep("stop", message); return false; }
    }

    public class RestartNeeded : Exception
    {
        public RestartNeeded(Exception inner) : base(inner.Message, inner) { }
    }

    public static class Program
    {
        const string AppName = "Mobius TUI";
        const string AppCode = "MOBTUI";  // at most 6 characters
        const short AppVersion = 1;

        static readonly JavaScriptSerializer Json = new JavaScriptSerializer();
        static readonly RecordingAlert Alerts = new RecordingAlert();
        static bool open;

        public static int Main(string[] args)
        {
            Console.InputEncoding = new UTF8Encoding(false);
            TextWriter output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false));
            TextReader input = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false));
            SDKInstanceManager.Instance.SetAlertImplementation(Alerts);  // before OpenDatabase
            string line;
            while ((line = input.ReadLine()) != null)
            {
                if (line.Trim().Length == 0) continue;
                Dictionary<string, object> answer;
                bool restart = false;
                Alerts.Texts.Clear();
                try
                {
                    Dictionary<string, object> request = Json.Deserialize<Dictionary<string, object>>(line);
                    answer = Handle(request);
                    if (answer == null) break;  // quit
                }
                catch (RestartNeeded e)
                {
                    answer = Failure(e.Message);
                    restart = true;
                }
                catch (Exception e)
                {
                    answer = Failure(e.Message);
                }
                answer["alerts"] = Alerts.Texts.ToArray();
                answer["restart"] = restart;
                output.WriteLine(Json.Serialize(answer));
                output.Flush();
                if (restart) { Close(); return 3; }
            }
            Close();
            return 0;
        }

        static void Close()
        {
            if (open) { try { SDKInstanceManager.Instance.CloseDatabase(); } catch { } open = false; }
        }

        static Dictionary<string, object> Failure(string error)
        {
            Dictionary<string, object> d = new Dictionary<string, object>();
            d["ok"] = false;
            d["error"] = error;
            return d;
        }

        static Dictionary<string, object> Success()
        {
            Dictionary<string, object> d = new Dictionary<string, object>();
            d["ok"] = true;
            return d;
        }

        static Dictionary<string, object> Handle(Dictionary<string, object> r)
        {
            string op = Text(r, "op");
            if (op == "quit") return null;
            if (op == "open") return Open(r);
            if (!open) return Failure("No company is open.");
            switch (op)
            {
                case "customer": return Write(delegate { return SaveParty(SDKInstanceManager.Instance.OpenCustomerLedger(), r, true); });
                case "vendor": return Write(delegate { return SaveParty(SDKInstanceManager.Instance.OpenVendorLedger(), r, false); });
                case "item": return Write(delegate { return SaveItem(r); });
                case "sales": return Write(delegate { return PostInvoice(r, true); });
                case "purchase": return Write(delegate { return PostInvoice(r, false); });
                case "journal": return Write(delegate { return PostJournal(r); });
            }
            return Failure("Unknown request '" + op + "'.");
        }

        delegate Dictionary<string, object> Work();

        // A write that throws leaves the SDK session unusable: ask for a restart.
        static Dictionary<string, object> Write(Work work)
        {
            try { return work(); }
            catch (Exception e) { throw new RestartNeeded(e); }
        }

        static Dictionary<string, object> Open(Dictionary<string, object> r)
        {
            SDKInstanceManager.SDKResult result;
            bool ok = SDKInstanceManager.Instance.OpenDatabase(Text(r, "company"), Text(r, "user"), Text(r, "password"),
                true, AppName, AppCode, AppVersion, out result);
            if (!ok)
            {
                Dictionary<string, object> f = Failure("Sage 50 did not open the company: " + result);
                f["result"] = result.ToString();
                return f;
            }
            open = true;
            return Success();
        }

        static Dictionary<string, object> SaveParty(APARLedgerBase ledger, Dictionary<string, object> r, bool customer)
        {
            try
            {
                ledger.InitializeNew();
                ledger.Name = Text(r, "name");
                string currency = Text(r, "currency");
                if (currency.Length > 0) ledger.CurrencyCode = currency;
                Dictionary<string, object> answer = ledger.Save() ? Success() : Failure("Sage 50 did not save " + ledger.Name + ".");
                return answer;
            }
            finally
            {
                if (customer) SDKInstanceManager.Instance.CloseCustomerLedger(); else SDKInstanceManager.Instance.CloseVendorLedger();
            }
        }

        static Dictionary<string, object> SaveItem(Dictionary<string, object> r)
        {
            InventoryLedger ledger = SDKInstanceManager.Instance.OpenInventoryLedger();
            try
            {
                ledger.InitializeNew();
                ledger.Number = Text(r, "number");
                ledger.Name = Text(r, "name");
                ledger.IsServiceType = Flag(r, "service");
                if (Text(r, "unit").Length > 0) ledger.StockingUnit = Text(r, "unit");
                ledger.RegularPrice = Number(r, "price");
                if (Text(r, "asset").Length > 0) ledger.AssetAccount = Text(r, "asset");
                ledger.RevenueAccount = Text(r, "revenue");
                ledger.ExpenseAccount = Text(r, "expense");
                return ledger.Save() ? Success() : Failure("Sage 50 did not save item " + ledger.Number + ".");
            }
            finally
            {
                SDKInstanceManager.Instance.CloseInventoryLedger();
            }
        }

        static Dictionary<string, object> PostInvoice(Dictionary<string, object> r, bool sales)
        {
            InvoiceJournal journal = sales ? (InvoiceJournal)SDKInstanceManager.Instance.OpenSalesJournal()
                                           : SDKInstanceManager.Instance.OpenPurchasesJournal();
            try
            {
                journal.SelectTransType(0);  // invoice; must come first
                int party = journal.SelectAPARLedger(Text(r, "party"));
                if (party <= 0)
                    return Failure((sales ? "Customer '" : "Vendor '") + Text(r, "party") + "' was not found in Sage 50.");
                journal.InvoiceNumber = Text(r, "number");  // kept as set: never read back after Post
                journal.SetJournalDate(Text(r, "date"));
                if (Text(r, "rate").Length > 0) journal.ExchangeRate = Number(r, "rate");
                if (Text(r, "location").Length > 0) journal.SelectLocation(Text(r, "location"));
                if (!sales)
                {
                    PurchasesJournal purchases = (PurchasesJournal)journal;
                    if (Text(r, "order").Length > 0) purchases.OrderQuoteNum = Text(r, "order");
                    purchases.IsInvoiceReceived = Flag(r, "received");
                }
                int n = 1;
                foreach (Dictionary<string, object> line in List(r, "lines"))
                {
                    if (Text(line, "item").Length > 0) journal.SetItemNumber(Text(line, "item"), n);
                    journal.SetDescription(Text(line, "description"), n);
                    if (Text(line, "quantity").Length > 0) journal.SetQuantity(Number(line, "quantity"), n);
                    if (Text(line, "price").Length > 0) journal.SetPrice(Number(line, "price"), n);
                    journal.SetLineAmount(Number(line, "amount"), n);
                    if (Text(line, "account").Length > 0) journal.SetLineAccount(Text(line, "account"), n);
                    if (Text(line, "tax_code").Length > 0) journal.SetTaxCodeString(Text(line, "tax_code"), n);
                    n++;
                }
                // Tax amounts as Manage computed them, per tax authority.
                List<Dictionary<string, object>> taxes = List(r, "taxes");
                if (taxes.Count > 0)
                {
                    TaxSummaryInfo total = journal.GetTotalTaxAmountInfo();
                    foreach (Dictionary<string, object> tax in taxes) total.SetTaxAmountByName(Text(tax, "name"), Number(tax, "amount"));
                    total.Save();
                }
                return Posted(journal, journal.GetTotalAmount());
            }
            finally
            {
                if (sales) SDKInstanceManager.Instance.CloseSalesJournal(); else SDKInstanceManager.Instance.ClosePurchasesJournal();
            }
        }

        static Dictionary<string, object> PostJournal(Dictionary<string, object> r)
        {
            GeneralJournal journal = SDKInstanceManager.Instance.OpenGeneralJournal();
            try
            {
                journal.Source = Text(r, "source");
                journal.Comment = Text(r, "comment");
                journal.SetJournalDate(Text(r, "date"));
                if (Text(r, "currency").Length > 0)
                {
                    journal.CurrencySelected = Text(r, "currency");
                    if (Text(r, "rate").Length > 0) journal.ExchangeRate = Number(r, "rate");
                }
                int n = 1;
                foreach (Dictionary<string, object> line in List(r, "lines"))
                {
                    journal.SetAccount(Text(line, "account"), n);
                    if (Text(line, "debit").Length > 0) journal.SetDebit(Number(line, "debit"), n);
                    if (Text(line, "credit").Length > 0) journal.SetCredit(Number(line, "credit"), n);
                    journal.SetComment(Text(line, "comment"), n);
                    n++;
                }
                return Posted(journal, 0);
            }
            finally
            {
                SDKInstanceManager.Instance.CloseGeneralJournal();
            }
        }

        // Post() can answer false for an entry it committed: report both the answer and whether the
        // journal number moved; the caller confirms by reading the entry back.
        static Dictionary<string, object> Posted(Journal journal, double total)
        {
            int before = journal.GetLastJournalNumber();
            bool ok = journal.Post();
            int after = journal.GetLastJournalNumber();
            Dictionary<string, object> answer = ok ? Success() : Failure("Sage 50 did not post the entry.");
            answer["journal"] = after > before ? after : 0;
            answer["total"] = total.ToString("0.00", CultureInfo.InvariantCulture);
            return answer;
        }

        static string Text(Dictionary<string, object> r, string key)
        {
            object v;
            return r.TryGetValue(key, out v) && v != null ? Convert.ToString(v, CultureInfo.InvariantCulture) : "";
        }

        static bool Flag(Dictionary<string, object> r, string key)
        {
            object v;
            return r.TryGetValue(key, out v) && v is bool && (bool)v;
        }

        static double Number(Dictionary<string, object> r, string key)
        {
            string t = Text(r, key);
            return t.Length == 0 ? 0 : double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        static List<Dictionary<string, object>> List(Dictionary<string, object> r, string key)
        {
            List<Dictionary<string, object>> out_ = new List<Dictionary<string, object>>();
            object v;
            if (r.TryGetValue(key, out v) && v is IEnumerable)
                foreach (object o in (IEnumerable)v)
                    if (o is Dictionary<string, object>) out_.Add((Dictionary<string, object>)o);
            return out_;
        }
    }
}
