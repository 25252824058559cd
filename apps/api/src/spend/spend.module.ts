/**
 * The Spend feature (API-RULES.md §1, KOBATELA-SPEC.md §2.9): the catalogue (categories,
 * merchants, allowances) and purchases against usage mandates; its controllers, command
 * handlers and query handlers. Codes and names are unique case-insensitively through
 * reservations claimed in the creating append; existence checks read the streams.
 */
import { Module } from '@nestjs/common';
import { mandateServicesProvider } from '../mandates/shared/mandate-services.provider';
import { AllowUsageController } from './allow-usage/allow-usage.controller';
import { AllowUsageHandler } from './allow-usage/allow-usage.handler';
import { CreateCategoryController } from './create-category/create-category.controller';
import { CreateCategoryHandler } from './create-category/create-category.handler';
import { CreateMerchantController } from './create-merchant/create-merchant.controller';
import { CreateMerchantHandler } from './create-merchant/create-merchant.handler';
import { CreatePurchaseController } from './create-purchase/create-purchase.controller';
import { CreatePurchaseHandler } from './create-purchase/create-purchase.handler';
import { ListCategoriesController } from './list-categories/list-categories.controller';
import { ListCategoriesHandler } from './list-categories/list-categories.handler';
import { ListMerchantsController } from './list-merchants/list-merchants.controller';
import { ListMerchantsHandler } from './list-merchants/list-merchants.handler';
import { ListPurchasesController } from './list-purchases/list-purchases.controller';
import { ListPurchasesHandler } from './list-purchases/list-purchases.handler';

@Module({
  controllers: [
    CreateCategoryController,
    ListCategoriesController,
    CreateMerchantController,
    ListMerchantsController,
    AllowUsageController,
    CreatePurchaseController,
    ListPurchasesController,
  ],
  providers: [
    mandateServicesProvider,
    CreateCategoryHandler,
    ListCategoriesHandler,
    CreateMerchantHandler,
    ListMerchantsHandler,
    AllowUsageHandler,
    CreatePurchaseHandler,
    ListPurchasesHandler,
  ],
})
export class SpendModule {}
