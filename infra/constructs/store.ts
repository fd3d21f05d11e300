import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { DeploymentSettings } from '../config.ts';

/**
 * One DynamoDB table for everything (single-table design), with three indexes:
 * - byEmail: every account link and person address under `EMAIL#<address>`, so a leaver's accounts are a Query, never a Scan;
 * - byType: listings by entity type (accounts by school, tasks by status, audit by day);
 * - due: sparse, keyed by next-action date, so the daily sweep reads only what is due.
 */
export class Store extends Construct {
  readonly table: dynamodb.Table;
  readonly key?: kms.IKey;

  constructor(scope: Construct, id: string, settings: DeploymentSettings) {
    super(scope, id);
    this.key = settings.tableKmsKeyArn ? kms.Key.fromKeyArn(this, 'Key', settings.tableKmsKeyArn) : undefined;
    const S = dynamodb.AttributeType.STRING;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: S },
      sortKey: { name: 'sk', type: S },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: this.key ? dynamodb.TableEncryption.CUSTOMER_MANAGED : dynamodb.TableEncryption.DEFAULT,
      encryptionKey: this.key,
      timeToLiveAttribute: 'expiresAt',
      deletionProtection: settings.deletionProtection,
      removalPolicy: settings.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    for (const [indexName, n] of [['byEmail', 1], ['byType', 2], ['due', 3]] as const) {
      this.table.addGlobalSecondaryIndex({
        indexName,
        partitionKey: { name: `gsi${n}pk`, type: S },
        sortKey: { name: `gsi${n}sk`, type: S },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }
}
