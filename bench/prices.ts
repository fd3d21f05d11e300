/**
 * AWS on-demand list prices for eu-west-2 (London), in USD, in one place, with where each was read and when.
 * `npm run bench` multiplies the request and capacity counts it measures by these; nothing else in the benchmark
 * knows a price. Update a figure here (and its `read` date and `source`) when AWS changes it.
 *
 * How they were read: the benchmark was written without internet access, from stored copies of public pages.
 * The best source found was a published cost analysis that quotes the AWS Price List Bulk API offer files for
 * eu-west-2 (https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/<ServiceCode>/current/eu-west-2/index.json),
 * read there on 2026-10-06 (offer files published 2026-09-11 to 2026-10-04), with the usage type of each line.
 * Those figures are marked `verified: 'price list'`. Figures that could only be found for us-east-1, or only
 * in third-party summaries, are marked so: check them against the eu-west-2 offer file before quoting the bill.
 */

export interface Price {
  usd: number;
  unit: string;
  /** The AWS price-list usage type, where known. */
  usageType?: string;
  /** The always-free monthly allowance in the same unit, where one exists (applied only in the "with free tier" figure). */
  freePerMonth?: number;
  source: string;
  /** The date the figure was read in its source. */
  read: string;
  verified: 'price list' | 'us-east-1 price list (London figure not found)' | 'AWS documentation' | 'third-party summary' | 'estimate';
}

const PRICE_LIST_COPY = 'AWS Price List Bulk API, eu-west-2 offer files, as quoted in a public cost analysis';

export const REGION = 'eu-west-2';

export const PRICES = {
  dynamoWriteRequestUnit: {
    usd: 0.625 / 1e6,
    unit: 'write request unit (on-demand)',
    usageType: 'EUW2-WriteRequestUnits',
    source: 'AWS Price List (AmazonDynamoDB, us-east-1 offer published 2026-09-11), after the 1 November 2024 on-demand price cut; no stored copy of the eu-west-2 line was found',
    read: '2026-09-18',
    verified: 'us-east-1 price list (London figure not found)',
  },
  dynamoReadRequestUnit: {
    usd: 0.125 / 1e6,
    unit: 'read request unit (on-demand, strongly consistent read of up to 4 KB)',
    usageType: 'EUW2-ReadRequestUnits',
    source: 'as dynamoWriteRequestUnit',
    read: '2026-09-18',
    verified: 'us-east-1 price list (London figure not found)',
  },
  dynamoStorageGbMonth: {
    usd: 0.25,
    unit: 'GB-month of table and index storage (Standard class)',
    usageType: 'EUW2-TimedStorage-ByteHrs',
    freePerMonth: 25,
    source: 'AWS Price List (AmazonDynamoDB, us-east-1); storage was not changed by the 2024 price cut',
    read: '2026-09-18',
    verified: 'us-east-1 price list (London figure not found)',
  },
  dynamoPitrGbMonth: {
    usd: 0.2,
    unit: 'GB-month of continuous backup (point-in-time recovery, enabled on the table)',
    usageType: 'EUW2-TimedPITRStorage-ByteHrs',
    source: 'AWS DynamoDB pricing page, us-east-1 figure',
    read: '2026-09-18',
    verified: 'us-east-1 price list (London figure not found)',
  },
  lambdaRequest: {
    usd: 0.2 / 1e6,
    unit: 'Lambda request (arm64)',
    usageType: 'EUW2-Request-ARM',
    freePerMonth: 1_000_000,
    source: PRICE_LIST_COPY,
    read: '2026-10-06',
    verified: 'price list',
  },
  lambdaGbSecondArm: {
    usd: 0.0000133334,
    unit: 'GB-second of Lambda duration on arm64 (first tier)',
    usageType: 'EUW2-Lambda-GB-Second-ARM',
    freePerMonth: 400_000,
    source: PRICE_LIST_COPY,
    read: '2026-10-06',
    verified: 'price list',
  },
  eventBridgeCustomEvent: {
    usd: 1 / 1e6,
    unit: 'custom event put on an event bus (per 64 KB chunk)',
    source: 'AWS EventBridge pricing as summarised by third parties ($1.00 per million custom events; the same in every commercial region they list)',
    read: '2026-06-01',
    verified: 'third-party summary',
  },
  schedulerInvocation: {
    usd: 1.15 / 1e6,
    unit: 'EventBridge Scheduler invocation',
    usageType: 'EUW2-ScheduledInvocation',
    freePerMonth: 14_000_000,
    source: PRICE_LIST_COPY,
    read: '2026-10-06',
    verified: 'price list',
  },
  sesRecipient: {
    usd: 0.1 / 1000,
    unit: 'email recipient (SES bills each recipient of a message)',
    usageType: 'EUW2-Recipients',
    source: PRICE_LIST_COPY,
    read: '2026-10-06',
    verified: 'price list',
  },
  httpApiRequest: {
    usd: 1.16 / 1e6,
    unit: 'API Gateway HTTP API request (first 300 million)',
    usageType: 'EUW2-ApiGatewayHttpRequest',
    source: 'AWS Price List SKU MFY3FVZZSQWYVNHM (AmazonApiGateway, eu-west-2) as quoted in a public price-list snapshot dated 2026-09-05',
    read: '2026-09-05',
    verified: 'price list',
  },
  sqsRequest: {
    usd: 0.4 / 1e6,
    unit: 'SQS standard request (64 KB chunk)',
    usageType: 'EUW2-Requests-Tier1',
    freePerMonth: 1_000_000,
    source: PRICE_LIST_COPY,
    read: '2026-10-06',
    verified: 'price list',
  },
  secretMonth: {
    usd: 0.4,
    unit: 'secret-month',
    usageType: 'EUW2-AWSSecretsManager-Secrets',
    source: PRICE_LIST_COPY,
    read: '2026-10-06',
    verified: 'price list',
  },
  secretApiCall: {
    usd: 0.05 / 10_000,
    unit: 'Secrets Manager API call',
    usageType: 'EUW2-AWSSecretsManagerAPIRequest',
    source: PRICE_LIST_COPY,
    read: '2026-10-06',
    verified: 'price list',
  },
  alarmMonth: {
    usd: 0.1,
    // CloudWatch bills standard alarms "per alarm metric": an alarm on one metric is one; a metric-math alarm is
    // counted here as one per metric its expression reads (the conservative reading), not one per alarm.
    unit: 'standard-resolution CloudWatch alarm metric-month (a metric-math alarm: each metric it reads)',
    usageType: 'EUW2-CW:AlarmMonitorUsage',
    freePerMonth: 10,
    source: PRICE_LIST_COPY,
    read: '2026-10-06',
    verified: 'price list',
  },
  ssmStandardParameterMonth: {
    usd: 0,
    unit: 'SSM Parameter Store standard-tier parameter-month (SecureString included)',
    source: 'AWS Systems Manager User Guide, "Managing parameter tiers": standard parameters, cost "No additional charge" (advanced ones are charged)',
    read: '2026-12-02',
    verified: 'AWS documentation',
  },
  ssmStandardApiCall: {
    usd: 0,
    unit: 'SSM GetParameter call at the default (standard) throughput',
    source: 'AWS Systems Manager User Guide, "Changing Parameter Store throughput": the default standard throughput is used "without additional cost"; higher throughput is charged',
    read: '2026-12-02',
    verified: 'AWS documentation',
  },
  kmsRequest: {
    usd: 0.03 / 10_000,
    unit: 'AWS KMS request (SSM decrypting a SecureString with the AWS-managed aws/ssm key, which has no monthly fee)',
    usageType: 'EUW2-KMS-Requests',
    freePerMonth: 20_000,
    source: 'AWS KMS pricing: $0.03 per 10,000 symmetric requests, 20,000 a month free, AWS-managed keys free; written down from the pricing page as known, no stored copy of it was found',
    read: '2026-12-02',
    verified: 'estimate',
  },
  logsIngestedGb: {
    usd: 0.5985,
    unit: 'GB of CloudWatch Logs ingested (Standard class)',
    usageType: 'EUW2-DataProcessing-Bytes',
    freePerMonth: 5,
    source: PRICE_LIST_COPY,
    read: '2026-10-06',
    verified: 'price list',
  },
  logsStoredGbMonth: {
    usd: 0.0315,
    unit: 'GB-month of CloudWatch Logs stored',
    usageType: 'EUW2-TimedStorage-ByteHrs',
    source: PRICE_LIST_COPY,
    read: '2026-10-06',
    verified: 'price list',
  },
} satisfies Record<string, Price>;

export type PriceKey = keyof typeof PRICES;
