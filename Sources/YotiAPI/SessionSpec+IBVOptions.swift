extension SessionSpec {
    /// `ibv_options`: marks an In-Branch Verification session.
    public struct IBVOptions: JSONObjectView {
        public var json: JSONValue
        public init(json: JSONValue) { self.json = json }

        /// `MANDATORY` or `NOT_ALLOWED`.
        public var support: String? {
            get { self[string: "support"] }
            set { self[string: "support"] = newValue }
        }
        public var guidanceURL: String? {
            get { self[string: "guidance_url"] }
            set { self[string: "guidance_url"] = newValue }
        }
        /// `{amount, currency}`.
        public var userPrice: Price? {
            get { self[view: "user_price"] }
            set { self[view: "user_price"] = newValue }
        }

        /// A price shown to the applicant.
        public struct Price: JSONObjectView {
            public var json: JSONValue
            public init(json: JSONValue) { self.json = json }
            /// As sent: a number or a decimal string.
            public var amount: JSONValue? {
                get { self[json: "amount"] }
                set { self[json: "amount"] = newValue }
            }
            /// ISO 4217, e.g. `GBP`.
            public var currency: String? {
                get { self[string: "currency"] }
                set { self[string: "currency"] = newValue }
            }
        }
    }
}
